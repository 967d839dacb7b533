package dev.kubeteardown;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Preconditions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The HTTP calls a run makes, built through the {@link ApiClient} (so its authentication, TLS and base path apply)
 * but executed here, so that every status code, header and body - an empty 404 body included - reaches the
 * classifier unchanged. Every call is bounded by the run's deadline and can be cancelled when the run is interrupted.
 */
final class KubeApi {

    private static final String[] AUTH = {"BearerToken"};
    private static final String MERGE_PATCH = "application/merge-patch+json";

    private final ApiClient client;
    private final Duration requestTimeout;
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    KubeApi(ApiClient client, Duration requestTimeout) {
        this.client = client;
        this.requestTimeout = requestTimeout;
    }

    /** A response with its body read; the caller decides what the status code means. */
    record HttpResult(int code, String body, String retryAfter) {
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

    HttpResult list(
            ResourceType type,
            String namespace,
            String labelSelector,
            String fieldSelector,
            int limit,
            String continueToken,
            Deadline deadline)
            throws IOException {
        List<Pair> query = new ArrayList<>();
        addIfPresent(query, "labelSelector", labelSelector);
        addIfPresent(query, "fieldSelector", fieldSelector);
        query.add(new Pair("limit", Integer.toString(limit)));
        addIfPresent(query, "continue", continueToken);
        return send(type.collectionPath(namespace), "GET", query, null, null, deadline);
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
        V1DeleteOptions options = new V1DeleteOptions()
                .apiVersion("v1")
                .kind("DeleteOptions")
                .preconditions(new V1Preconditions().uid(uid))
                .propagationPolicy(propagation.wireValue());
        if (gracePeriod != null) {
            // rounded up: truncating 500 ms to 0 would ask for an immediate, forced deletion
            options.gracePeriodSeconds(gracePeriod.plusNanos(999_999_999L).toSeconds());
        }
        List<Pair> query = new ArrayList<>();
        if (serverDryRun) {
            query.add(new Pair("dryRun", "All"));
            options.dryRun(List.of("All"));
        }
        return send(objectPath(type, namespace, name), "DELETE", query, options, null, deadline);
    }

    /** A JSON merge patch; {@code dryRun=All} when asked. */
    HttpResult mergePatch(
            ResourceType type, String namespace, String name, String patchJson, boolean serverDryRun, Deadline deadline)
            throws IOException {
        List<Pair> query = new ArrayList<>();
        if (serverDryRun) {
            query.add(new Pair("dryRun", "All"));
        }
        return send(objectPath(type, namespace, name), "PATCH", query, new V1Patch(patchJson), MERGE_PATCH, deadline);
    }

    HttpResult getNamespace(String namespace, Deadline deadline) throws IOException {
        return get("/api/v1/namespaces/" + namespace, deadline);
    }

    /** A GET of any path (discovery documents, single objects). */
    HttpResult get(String path, Deadline deadline) throws IOException {
        return send(path, "GET", List.of(), null, null, deadline);
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

    /** Opens a watch; the caller reads it line by line and must close it. */
    WatchStream openWatch(
            ResourceType type,
            String namespace,
            String labelSelector,
            String fieldSelector,
            String resourceVersion,
            Deadline deadline)
            throws IOException {
        List<Pair> query = new ArrayList<>();
        query.add(new Pair("watch", "true"));
        query.add(new Pair("resourceVersion", resourceVersion));
        query.add(new Pair("allowWatchBookmarks", "true"));
        addIfPresent(query, "labelSelector", labelSelector);
        addIfPresent(query, "fieldSelector", fieldSelector);
        long seconds = Math.max(1, Math.min(300, deadline.remaining().toSeconds() + 1));
        query.add(new Pair("timeoutSeconds", Long.toString(seconds)));
        Call call = newCall(type.collectionPath(namespace), "GET", query, null, null);
        call.timeout().timeout(Math.max(1, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS);
        return new WatchStream(call, execute(call));
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
            String path, String method, List<Pair> query, Object body, String contentType, Deadline deadline)
            throws IOException {
        Call call = newCall(path, method, query, body, contentType);
        long timeout = deadline.cap(requestTimeout).toMillis();
        call.timeout().timeout(Math.max(1, timeout), TimeUnit.MILLISECONDS);
        try (Response response = execute(call)) {
            ResponseBody responseBody = response.body();
            String text = responseBody == null ? "" : responseBody.string();
            return new HttpResult(response.code(), text, response.header("Retry-After"));
        } finally {
            inFlight.remove(call);
        }
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
        return newCall(path, "GET", List.of(), null, null);
    }

    private Call newCall(String path, String method, List<Pair> query, Object body, String contentType)
            throws IOException {
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", "application/json");
        if (body != null) {
            headers.put("Content-Type", contentType == null ? "application/json" : contentType);
        }
        try {
            return client.buildCall(
                    baseUrl(),
                    path,
                    method,
                    query,
                    List.of(),
                    body,
                    headers,
                    new HashMap<>(),
                    new HashMap<>(),
                    AUTH,
                    null);
        } catch (ApiException e) {
            throw new IOException("cannot build " + method + " " + path + ": " + e.getMessage(), e);
        }
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
