package dev.kubeteardown.reliability;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;

/**
 * Every request the engine sends, as the engine's own OkHttp client sees it (an application interceptor): method,
 * path, query, body, the answer's code, and for list pages their resourceVersion, continue token and UIDs. This is
 * the evidence of what the engine asked for and what it was told, to judge its report against.
 */
final class WireLog implements Interceptor {

    /**
     * One request.
     *
     * @param code 0 when no response came (I/O error, timeout, cancel)
     * @param page for a list answered 200, what the page held; otherwise null
     */
    record Exchange(
            long startNanos,
            long endNanos,
            String method,
            String path,
            String namespace,
            String name,
            String continueToken,
            boolean watch,
            String dryRun,
            String requestBody,
            int code,
            String error,
            Page page) {

        boolean isList() {
            return "GET".equals(method) && !watch && name == null && path.endsWith("/backups");
        }

        boolean isDelete() {
            return "DELETE".equals(method);
        }

        boolean isPatch() {
            return "PATCH".equals(method);
        }

        String key() {
            return namespace + "/" + name;
        }

        /** The UID a DELETE's preconditions or a PATCH's metadata names, or null. */
        String uidInBody() {
            if (requestBody == null || requestBody.isBlank()) {
                return null;
            }
            try {
                JsonObject body = JsonParser.parseString(requestBody).getAsJsonObject();
                JsonObject holder =
                        isDelete() ? body.getAsJsonObject("preconditions") : body.getAsJsonObject("metadata");
                JsonElement uid = holder == null ? null : holder.get("uid");
                return uid == null || uid.isJsonNull() ? null : uid.getAsString();
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** A PATCH that removes finalizers (the escape hatch), as opposed to the label before delete. */
        boolean removesFinalizers() {
            return isPatch() && requestBody != null && requestBody.contains("\"finalizers\":null");
        }

        boolean serverDryRun() {
            return "All".equals(dryRun) || (requestBody != null && requestBody.contains("\"dryRun\":[\"All\"]"));
        }
    }

    /** One list page answered 200. */
    record Page(String resourceVersion, String continueToken, Set<String> uids) {}

    /**
     * One call of the engine's lister as reconstructed from the wire: the pages from a first page up to the end,
     * with retries and 410 restarts inside.
     *
     * @param union    UIDs of every page answered 200 (what the lister accumulates)
     * @param lastPass UIDs of the pages since the last first page answered 200 (the last consistent pass)
     */
    record ListCall(
            long startNanos, long endNanos, boolean complete, Set<String> union, Set<String> lastPass, int restarts) {}

    private final ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        long start = System.nanoTime();
        threads.add(Thread.currentThread().getName());
        HttpUrl url = request.url();
        List<String> segments = url.pathSegments();
        String namespace = null;
        String name = null;
        int ns = segments.indexOf("namespaces");
        if (ns >= 0 && ns + 1 < segments.size()) {
            namespace = segments.get(ns + 1);
        }
        int backups = segments.indexOf("backups");
        if (backups >= 0 && backups + 1 < segments.size()) {
            name = segments.get(backups + 1);
        }
        boolean watch = "true".equals(url.queryParameter("watch"));
        String body = null;
        if (request.body() != null) {
            Buffer buffer = new Buffer();
            request.body().writeTo(buffer);
            body = buffer.readUtf8();
        }
        String path = url.encodedPath();
        try {
            Response response = chain.proceed(request);
            Page page = null;
            if (response.code() == 200
                    && !watch
                    && "GET".equals(request.method())
                    && name == null
                    && path.endsWith("/backups")) {
                page = page(response.peekBody(64L << 20).string());
            }
            exchanges.add(new Exchange(
                    start,
                    System.nanoTime(),
                    request.method(),
                    path,
                    namespace,
                    name,
                    url.queryParameter("continue"),
                    watch,
                    url.queryParameter("dryRun"),
                    body,
                    response.code(),
                    null,
                    page));
            return response;
        } catch (IOException | RuntimeException e) {
            exchanges.add(new Exchange(
                    start,
                    System.nanoTime(),
                    request.method(),
                    path,
                    namespace,
                    name,
                    url.queryParameter("continue"),
                    watch,
                    url.queryParameter("dryRun"),
                    body,
                    0,
                    e.toString(),
                    null));
            throw e;
        }
    }

    private static Page page(String text) {
        JsonObject list = JsonParser.parseString(text).getAsJsonObject();
        JsonObject meta = list.getAsJsonObject("metadata");
        Set<String> uids = new LinkedHashSet<>();
        for (JsonElement item : list.getAsJsonArray("items")) {
            uids.add(item.getAsJsonObject()
                    .getAsJsonObject("metadata")
                    .get("uid")
                    .getAsString());
        }
        String cont = meta.has("continue") ? meta.get("continue").getAsString() : null;
        return new Page(meta.get("resourceVersion").getAsString(), cont == null || cont.isEmpty() ? null : cont, uids);
    }

    /** Names of the threads the engine sent requests from. */
    Set<String> threads() {
        return Set.copyOf(threads);
    }

    /** Every exchange so far, by start time. */
    List<Exchange> exchanges() {
        List<Exchange> all = new ArrayList<>(exchanges);
        all.sort(Comparator.comparingLong(Exchange::startNanos));
        return all;
    }

    /**
     * The lister's calls, reconstructed: lists run one at a time on the run's I/O thread, so a first page (no
     * continue token) starts a new call unless it follows a failure or a 410 (a retry or restart of the same call).
     * A failed call followed by a new one merges into one; that only widens what the call is deemed to have seen.
     */
    List<ListCall> listCalls() {
        List<ListCall> calls = new ArrayList<>();
        List<Exchange> current = new ArrayList<>();
        for (Exchange e : exchanges()) {
            if (!e.isList()) {
                continue;
            }
            if (!current.isEmpty() && e.continueToken() == null && completes(current.get(current.size() - 1))) {
                calls.add(call(current));
                current = new ArrayList<>();
            }
            current.add(e);
        }
        if (!current.isEmpty()) {
            calls.add(call(current));
        }
        return calls;
    }

    private static boolean completes(Exchange e) {
        return e.code() == 200 && e.page() != null && e.page().continueToken() == null;
    }

    private static ListCall call(List<Exchange> pages) {
        Set<String> union = new LinkedHashSet<>();
        Set<String> lastPass = new LinkedHashSet<>();
        int restarts = 0;
        for (Exchange e : pages) {
            if (e.code() == 410) {
                restarts++;
            }
            if (e.page() == null) {
                continue;
            }
            if (e.continueToken() == null) {
                lastPass.clear();
            }
            union.addAll(e.page().uids());
            lastPass.addAll(e.page().uids());
        }
        Exchange last = pages.get(pages.size() - 1);
        return new ListCall(pages.get(0).startNanos(), last.endNanos(), completes(last), union, lastPass, restarts);
    }
}
