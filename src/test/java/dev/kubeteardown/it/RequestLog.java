package dev.kubeteardown.it;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

/**
 * An OkHttp interceptor that records every request a client sends (method, URL, body, answer code, time) and can
 * run a hook before a request goes out or rewrite it: the wire-level view the ITs assert on ("requests sent and not
 * sent"), against a real API server.
 *
 * <pre>{@code
 * RequestLog log = RequestLog.attachTo(client);   // the client now records
 * ... run a cleanup with client ...
 * assertEquals(1, log.count(RequestLog.watch("backups")));
 * }</pre>
 */
final class RequestLog implements Interceptor {

    /** Runs on the calling (OkHttp) thread before a request is sent; may block or call the server itself. */
    @FunctionalInterface
    interface Hook {
        void before(Request request) throws Exception;
    }

    /** One request as sent (after any rewrite). {@code code} is the answer's status, 0 when none came. */
    record Sent(long nanos, String method, HttpUrl url, String body, int code) {

        String path() {
            return url.encodedPath();
        }

        /** The last path segment: the object name for object requests, the plural for collection requests. */
        String lastSegment() {
            List<String> segments = url.pathSegments();
            return segments.get(segments.size() - 1);
        }

        String query(String name) {
            return url.queryParameter(name);
        }

        boolean isWatch() {
            return "true".equals(query("watch")) || "1".equals(query("watch"));
        }

        @Override
        public String toString() {
            return method + " " + url.encodedPath() + (url.encodedQuery() == null ? "" : "?" + url.query()) + " -> "
                    + code;
        }
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<Throwable> hookFailures = new ArrayList<>();
    private volatile Hook hook;
    private volatile UnaryOperator<Request> rewrite;

    /** Adds a new log to {@code client}'s OkHttp client (keeping its TLS, auth and timeouts) and returns the log. */
    static RequestLog attachTo(ApiClient client) {
        RequestLog log = new RequestLog();
        client.setHttpClient(
                client.getHttpClient().newBuilder().addInterceptor(log).build());
        return log;
    }

    /** Runs {@code hook} before every later request. Failures of the hook are kept for {@link #hookFailures()}. */
    RequestLog before(Hook hook) {
        this.hook = hook;
        return this;
    }

    /** Replaces every later request by {@code rewrite(request)} before it is recorded and sent. */
    RequestLog rewrite(UnaryOperator<Request> rewrite) {
        this.rewrite = rewrite;
        return this;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        UnaryOperator<Request> r = rewrite;
        if (r != null) {
            request = Objects.requireNonNull(r.apply(request), "rewrite returned null");
        }
        Hook h = hook;
        if (h != null) {
            try {
                h.before(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                synchronized (this) {
                    hookFailures.add(e);
                }
                throw new IOException("interrupted in a test hook", e);
            } catch (Exception | AssertionError e) {
                synchronized (this) {
                    hookFailures.add(e);
                }
            }
        }
        long nanos = System.nanoTime();
        String body = bodyOf(request.body());
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException | RuntimeException e) {
            record(new Sent(nanos, request.method(), request.url(), body, 0));
            throw e;
        }
        record(new Sent(nanos, request.method(), request.url(), body, response.code()));
        return response;
    }

    private synchronized void record(Sent s) {
        sent.add(s);
    }

    private static String bodyOf(RequestBody body) throws IOException {
        if (body == null) {
            return "";
        }
        Buffer buffer = new Buffer();
        body.writeTo(buffer);
        return buffer.readUtf8();
    }

    /** Every request so far, in the order the answers (or failures) came. */
    synchronized List<Sent> all() {
        return List.copyOf(sent);
    }

    synchronized List<Throwable> hookFailures() {
        return List.copyOf(hookFailures);
    }

    /** Forgets what was recorded so far (hook and rewrite stay). */
    synchronized void clear() {
        sent.clear();
    }

    List<Sent> matching(Predicate<Sent> predicate) {
        return all().stream()
                .filter(predicate)
                .sorted((a, b) -> Long.compare(a.nanos(), b.nanos()))
                .collect(Collectors.toList());
    }

    long count(Predicate<Sent> predicate) {
        return all().stream().filter(predicate).count();
    }

    /** DELETE requests per object name for a plural, sorted by name. */
    Map<String, Long> deletesPerName(String plural) {
        return all().stream()
                .filter(delete(plural))
                .collect(Collectors.groupingBy(Sent::lastSegment, TreeMap::new, Collectors.counting()));
    }

    /** A plain list (GET on the collection, not a watch). */
    static Predicate<Sent> list(String plural) {
        return s -> s.method().equals("GET") && s.lastSegment().equals(plural) && !s.isWatch();
    }

    /** A watch on the collection. */
    static Predicate<Sent> watch(String plural) {
        return s -> s.method().equals("GET") && s.lastSegment().equals(plural) && s.isWatch();
    }

    /** A DELETE of one object of the plural. */
    static Predicate<Sent> delete(String plural) {
        return s -> s.method().equals("DELETE") && isObjectOf(s, plural);
    }

    /** A PATCH of one object of the plural. */
    static Predicate<Sent> patch(String plural) {
        return s -> s.method().equals("PATCH") && isObjectOf(s, plural);
    }

    /** Any request that changes something: POST, PUT, PATCH, DELETE. */
    static Predicate<Sent> mutating() {
        return s -> !s.method().equals("GET") && !s.method().equals("HEAD");
    }

    /** Whether an OkHttp request is the DELETE of one object of the plural (for hooks). */
    static boolean isDeleteOf(Request request, String plural) {
        return request.method().equals("DELETE") && isObjectOf(request.url(), plural);
    }

    static boolean isPatchOf(Request request, String plural) {
        return request.method().equals("PATCH") && isObjectOf(request.url(), plural);
    }

    /** The object name of an object request. */
    static String objectName(Request request) {
        List<String> segments = request.url().pathSegments();
        return segments.get(segments.size() - 1);
    }

    private static boolean isObjectOf(Sent s, String plural) {
        return isObjectOf(s.url(), plural);
    }

    private static boolean isObjectOf(HttpUrl url, String plural) {
        List<String> segments = url.pathSegments();
        return segments.size() >= 2 && segments.get(segments.size() - 2).equals(plural);
    }

    /** One line per request, for assertion messages. */
    String describe() {
        return all().stream().map(Sent::toString).collect(Collectors.joining("\n  ", "requests:\n  ", ""));
    }
}
