package dev.kubeteardown;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import io.kubernetes.client.openapi.auth.Authentication;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP calls a run makes, sent through the {@link ApiClient}'s own {@code OkHttpClient} (so its TLS, client
 * certificates, interceptors and connection pool apply) with the client's authentications applied to each request,
 * and executed here, so that every status code, header and body - an empty 404 body included - reaches the
 * classifier unchanged. Every call is bounded by the run's deadline and can be cancelled when the run is interrupted.
 *
 * <p>Lists and watches ask for metadata only ({@code PartialObjectMetadataList}/{@code PartialObjectMetadata}), with
 * plain JSON as the server's alternative; a server that refuses the request (406) is asked for plain JSON from then
 * on. Everything read from listed objects lives in their metadata, so either answer serves.
 */
final class KubeApi {

    private static final Logger LOG = LoggerFactory.getLogger(KubeApi.class);
    private static final String[] AUTH = {"BearerToken"};
    static final String JSON = "application/json";
    static final String LIST_METADATA = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," + JSON;
    static final String WATCH_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1," + JSON;
    // as client-java sends them: OkHttp adds the charset to a String body's media type
    private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
    private static final MediaType MERGE_PATCH = MediaType.get("application/merge-patch+json; charset=utf-8");
    /** Error bodies are read whole, but only this much: a Status is small, a proxy's error page need not be. */
    static final long MAX_ERROR_BODY = 64 * 1024;

    private final ApiClient client;
    private final Duration requestTimeout;
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;
    /** Set once a server answered 406 to a metadata-only request: it is not asked again (by this instance). */
    private volatile boolean metadataRefused;

    private volatile Headers defaultHeaders;

    KubeApi(ApiClient client, Duration requestTimeout) {
        this.client = client;
        this.requestTimeout = requestTimeout;
    }

    /**
     * A response with its body read; the caller decides what the status code means.
     *
     * @param object for a streamed 2xx delete answer, the object it carried ({@code null} for a Status); see
     *     {@link #answeredObject()}
     */
    record HttpResult(int code, String body, String retryAfter, ObjectRef object) {

        HttpResult(int code, String body, String retryAfter) {
            this(code, body, retryAfter, null);
        }

        /**
         * A 404 that is not the API server's answer about an object: a plain-text body such as Go's "404 page not
         * found", given when nothing serves the path - a restarting server whose custom resource handlers are not
         * ready yet, or a CRD deleted. It says nothing about whether the object exists. (An empty 404 body, as some
         * mock servers give, is still read as not found.)
         */
        boolean isPathNotServed() {
            return code == 404 && body != null && !body.isBlank() && json() == null;
        }

        boolean isSuccess() {
            return code >= 200 && code < 300;
        }

        /** The body as a JSON object, or {@code null} when it is empty or not JSON (the mock's 404). */
        JsonObject json() {
            if (body == null || body.isBlank()) {
                return null;
            }
            try {
                var e = JsonParser.parseString(body);
                return e.isJsonObject() ? e.getAsJsonObject() : null;
            } catch (RuntimeException notJson) {
                return null;
            }
        }

        /**
         * The object a mutating request answered with (its metadata), or {@code null} when the answer is a
         * {@code Status}, empty, or not a JSON object with metadata.
         */
        ObjectRef answeredObject() {
            if (object != null) {
                return object;
            }
            JsonObject json = json();
            if (json == null
                    || "Status".equals(ObjectRef.string(json, "kind"))
                    || !json.has("metadata")
                    || !json.get("metadata").isJsonObject()) {
                return null;
            }
            return ObjectRef.of(json);
        }

        /** The server's explanation: a Status message, else the raw body, else a note that it was empty. */
        String message() {
            JsonObject json = json();
            if (json != null && json.has("message") && !json.get("message").isJsonNull()) {
                return oneLine(json.get("message").getAsString());
            }
            if (body == null || body.isBlank()) {
                return "empty response body";
            }
            String text = oneLine(body); // e.g. "404 page not found\n" for a resource type not served
            return text.length() > 300 ? text.substring(0, 300) + "..." : text;
        }
    }

    /** Messages end up in one-line summaries and log lines. */
    static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * One page of a list.
     *
     * @param fullObjects ask for whole objects (a field selector names a field outside the metadata, which the
     *     lister checks again client-side); otherwise metadata only
     */
    HttpResult list(
            ResourceType type,
            String namespace,
            String labelSelector,
            String fieldSelector,
            int limit,
            String continueToken,
            boolean fullObjects,
            Deadline deadline)
            throws IOException {
        List<Pair> query = new ArrayList<>(4);
        addIfPresent(query, "labelSelector", labelSelector);
        addIfPresent(query, "fieldSelector", fieldSelector);
        query.add(new Pair("limit", Integer.toString(limit)));
        addIfPresent(query, "continue", continueToken);
        String path = type.collectionPath(namespace);
        if (!fullObjects && !metadataRefused) {
            HttpResult result = send(path, "GET", query, null, null, LIST_METADATA, deadline);
            if (result.code() != 406) {
                return result;
            }
            refuseMetadata(path);
        }
        return send(path, "GET", query, null, null, JSON, deadline);
    }

    HttpResult delete(
            ResourceType type,
            String namespace,
            String name,
            String uid,
            PropagationPolicy propagation,
            Duration gracePeriod,
            boolean serverDryRun,
            Deadline deadline)
            throws IOException {
        List<Pair> query = serverDryRun ? List.of(new Pair("dryRun", "All")) : List.of();
        byte[] body = deleteOptions(uid, propagation, gracePeriod, serverDryRun);
        Call call = newCall(objectPath(type, namespace, name), "DELETE", query, body, JSON_TYPE, JSON);
        call.timeout().timeout(Math.max(1, deadline.cap(requestTimeout).toMillis()), TimeUnit.MILLISECONDS);
        try (Response response = execute(call)) {
            String retryAfter = response.header("Retry-After");
            ResponseBody responseBody = response.body();
            if (!response.isSuccessful() || responseBody == null) {
                return new HttpResult(response.code(), boundedText(responseBody), retryAfter);
            }
            // a 2xx answer is read for the few fields a decision needs, without building a tree or a String
            return new HttpResult(response.code(), "", retryAfter, DeleteAnswers.read(responseBody.source()));
        } finally {
            inFlight.remove(call);
        }
    }

    /**
     * The DeleteOptions body, written by hand: the same JSON client-java's serializer writes for a
     * {@code V1DeleteOptions} with these fields, without reflection per request.
     */
    static byte[] deleteOptions(String uid, PropagationPolicy propagation, Duration gracePeriod, boolean dryRun) {
        // V1DeleteOptions starts with an empty dryRun list, which its serializer writes
        StringBuilder json = new StringBuilder(160)
                .append("{\"apiVersion\":\"v1\",\"dryRun\":")
                .append(dryRun ? "[\"All\"]" : "[]");
        if (gracePeriod != null) {
            // rounded up: truncating 500 ms to 0 would ask for an immediate, forced deletion
            json.append(",\"gracePeriodSeconds\":")
                    .append(gracePeriod.plusNanos(999_999_999L).toSeconds());
        }
        json.append(",\"kind\":\"DeleteOptions\",\"preconditions\":{");
        if (uid != null) {
            json.append("\"uid\":");
            quote(json, uid);
        }
        json.append("},\"propagationPolicy\":");
        quote(json, propagation.wireValue());
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON merge patch; {@code dryRun=All} when asked. */
    HttpResult mergePatch(
            ResourceType type, String namespace, String name, String patchJson, boolean serverDryRun, Deadline deadline)
            throws IOException {
        List<Pair> query = serverDryRun ? List.of(new Pair("dryRun", "All")) : List.of();
        return send(
                objectPath(type, namespace, name),
                "PATCH",
                query,
                patchJson.getBytes(StandardCharsets.UTF_8),
                MERGE_PATCH,
                JSON,
                deadline);
    }

    HttpResult getNamespace(String namespace, Deadline deadline) throws IOException {
        return get("/api/v1/namespaces/" + namespace, deadline);
    }

    /** A GET of any path (discovery documents, single objects). */
    HttpResult get(String path, Deadline deadline) throws IOException {
        return send(path, "GET", List.of(), null, null, JSON, deadline);
    }

    /** An open watch stream; closing it ends the request. */
    final class WatchStream implements AutoCloseable {
        private final Call call;
        private final Response response;

        private WatchStream(Call call, Response response) {
            this.call = call;
            this.response = response;
        }

        int code() {
            return response.code();
        }

        /** The server's explanation of a watch it refused, read from the (short) error body. */
        String message() throws IOException {
            ResponseBody body = response.body();
            return new HttpResult(code(), body == null ? "" : body.string(), null).message();
        }

        /** The next line of the stream, or {@code null} at its end. */
        String readLine() throws IOException {
            ResponseBody body = response.body();
            return body == null ? null : body.source().readUtf8Line();
        }

        /** Cancels first: closing an unfinished stream would otherwise make OkHttp try to drain it (up to 100 ms). */
        @Override
        public void close() {
            inFlight.remove(call);
            call.cancel();
            response.close();
        }
    }

    /** Opens a watch of metadata only (see the class comment); the caller reads it line by line and must close it. */
    WatchStream openWatch(
            ResourceType type,
            String namespace,
            String labelSelector,
            String fieldSelector,
            String resourceVersion,
            Deadline deadline)
            throws IOException {
        List<Pair> query = new ArrayList<>(6);
        query.add(new Pair("watch", "true"));
        query.add(new Pair("resourceVersion", resourceVersion));
        query.add(new Pair("allowWatchBookmarks", "true"));
        addIfPresent(query, "labelSelector", labelSelector);
        addIfPresent(query, "fieldSelector", fieldSelector);
        long seconds = Math.max(1, Math.min(300, deadline.remaining().toSeconds() + 1));
        query.add(new Pair("timeoutSeconds", Long.toString(seconds)));
        String path = type.collectionPath(namespace);
        if (!metadataRefused) {
            WatchStream stream = openWatch(path, query, WATCH_METADATA, deadline);
            if (stream.code() != 406) {
                return stream;
            }
            stream.close();
            refuseMetadata(path);
        }
        return openWatch(path, query, JSON, deadline);
    }

    private WatchStream openWatch(String path, List<Pair> query, String accept, Deadline deadline) throws IOException {
        Call call = newCall(path, "GET", query, null, null, accept);
        call.timeout().timeout(Math.max(1, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS);
        return new WatchStream(call, execute(call));
    }

    private void refuseMetadata(String path) {
        if (!metadataRefused) {
            metadataRefused = true;
            LOG.debug("GET {} answered 406 to a metadata-only request; asking for whole objects from now on", path);
        }
    }

    /** Cancels every request in flight and refuses new ones: the run was interrupted. */
    void cancelAll() {
        cancelled = true;
        inFlight.forEach(Call::cancel);
    }

    /** The base path without a trailing slash (an ApiClient built by hand may keep one; paths start with one). */
    String baseUrl() {
        String base = client.getBasePath();
        return base != null && base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private HttpResult send(
            String path,
            String method,
            List<Pair> query,
            byte[] body,
            MediaType contentType,
            String accept,
            Deadline deadline)
            throws IOException {
        Call call = newCall(path, method, query, body, contentType, accept);
        long timeout = deadline.cap(requestTimeout).toMillis();
        call.timeout().timeout(Math.max(1, timeout), TimeUnit.MILLISECONDS);
        try (Response response = execute(call)) {
            ResponseBody responseBody = response.body();
            String text;
            if (response.isSuccessful()) {
                text = responseBody == null ? "" : responseBody.string();
            } else {
                text = boundedText(responseBody);
            }
            return new HttpResult(response.code(), text, response.header("Retry-After"));
        } finally {
            inFlight.remove(call);
        }
    }

    /** An error body, read up to {@link #MAX_ERROR_BODY} bytes. */
    private static String boundedText(ResponseBody body) throws IOException {
        if (body == null) {
            return "";
        }
        BufferedSource source = body.source();
        Buffer buffer = new Buffer();
        while (buffer.size() < MAX_ERROR_BODY) {
            long read = source.read(buffer, MAX_ERROR_BODY - buffer.size());
            if (read == -1) {
                break;
            }
        }
        return buffer.readUtf8();
    }

    private Response execute(Call call) throws IOException {
        inFlight.add(call);
        if (cancelled) {
            call.cancel();
        }
        try {
            return call.execute();
        } catch (IOException | RuntimeException e) {
            inFlight.remove(call);
            throw e;
        }
    }

    /** A GET through the client (its authentication, TLS and base path), built but not sent. */
    Call newGetCall(String path) throws IOException {
        return newCall(path, "GET", List.of(), null, null, JSON);
    }

    /**
     * Builds the request as {@link ApiClient#buildCall} would - the client's default headers and cookies, its
     * authentications applied to this request (so a refreshed token is used), its {@code OkHttpClient} with every
     * interceptor - without its per-request JSON serialization, media-type parsing and second URL build.
     */
    private Call newCall(
            String path, String method, List<Pair> query, byte[] body, MediaType contentType, String accept)
            throws IOException {
        HttpUrl base = HttpUrl.get(baseUrl() + path);
        List<Pair> params = new ArrayList<>(query);
        Map<String, String> headers = new HashMap<>(4);
        Map<String, String> cookies = new HashMap<>(2);
        try {
            for (String name : AUTH) {
                Authentication auth = client.getAuthentications().get(name);
                if (auth == null) {
                    throw new IOException("cannot build " + method + " " + path + ": authentication " + name
                            + " is not defined on the ApiClient");
                }
                String payload = body == null ? null : new String(body, StandardCharsets.UTF_8);
                auth.applyToParams(params, headers, cookies, payload, method, URI.create(base.toString()));
            }
        } catch (ApiException e) {
            throw new IOException("cannot build " + method + " " + path + ": " + e.getMessage(), e);
        }
        HttpUrl.Builder url = base.newBuilder();
        for (Pair p : params) {
            if (p.getValue() != null) {
                url.addQueryParameter(p.getName(), p.getValue());
            }
        }
        Request.Builder request =
                new Request.Builder().url(url.build()).headers(defaultHeaders()).header("Accept", accept);
        headers.forEach(request::header);
        cookies.forEach((k, v) -> request.addHeader("Cookie", k + "=" + v));
        request.method(method, body == null ? null : RequestBody.create(body, contentType));
        return client.getHttpClient().newCall(request.build());
    }

    /**
     * The client's default headers (User-Agent and any added) and cookies, as {@link ApiClient#buildRequest} sets
     * them; read once per instance from a request the client builds without authentication.
     */
    private Headers defaultHeaders() throws IOException {
        Headers headers = defaultHeaders;
        if (headers == null) {
            try {
                headers = client.buildRequest(
                                baseUrl(),
                                "/",
                                "GET",
                                List.of(),
                                List.of(),
                                null,
                                new HashMap<>(),
                                new HashMap<>(),
                                new HashMap<>(),
                                new String[0],
                                null)
                        .headers();
            } catch (ApiException e) {
                throw new IOException("cannot read the client's default headers: " + e.getMessage(), e);
            }
            defaultHeaders = headers;
        }
        return headers;
    }

    private static void quote(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '=' || c == '\'') {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static String objectPath(ResourceType type, String namespace, String name) {
        return type.collectionPath(type.namespaced() ? namespace : null) + "/" + name;
    }

    private static void addIfPresent(List<Pair> query, String key, String value) {
        if (value != null && !value.isEmpty()) {
            query.add(new Pair(key, value));
        }
    }
}
