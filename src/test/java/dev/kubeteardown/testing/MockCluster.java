package dev.kubeteardown.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kubeteardown.ResourceType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The fabric8 CRUD mock server for engine tests, with two additions: every request is recorded (to assert what was
 * and was not sent), and interceptors can answer a request before the CRUD store does (faults, races). DELETE
 * honours a UID precondition as a real API server does (the plain mock ignores it).
 */
public final class MockCluster implements AutoCloseable {

    /** Answers a request instead of the store, or returns {@code null} to let it through. */
    @FunctionalInterface
    public interface Interceptor {
        MockResponse intercept(RecordedRequest request, MockCluster cluster);
    }

    private final KubernetesMockServer server;
    private final KubernetesMixedDispatcher store;
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

    /** A request as it arrived, body included. */
    public record Recorded(String method, String path, String contentType, String body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private final List<Interceptor> interceptors = new CopyOnWriteArrayList<>();
    private final ApiClient client;
    private final KubernetesClient fabric;

    private MockCluster() {
        var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
        store = new KubernetesMixedDispatcher(responses);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest arrived) {
                // a body can be read once: keep it, and hand each reader its own copy
                String body = arrived.getBody() == null ? "" : arrived.getUtf8Body();
                recorded.add(
                        new Recorded(arrived.getMethod(), arrived.getPath(), arrived.getHeader("Content-Type"), body));
                for (Interceptor i : interceptors) {
                    MockResponse r = i.intercept(copy(arrived, body), MockCluster.this);
                    if (r != null) {
                        return r;
                    }
                }
                RecordedRequest request = copy(arrived, body);
                MockResponse refused = checkUidPrecondition(copy(arrived, body));
                if (refused != null) {
                    return refused;
                }
                synchronized (store) {
                    return store.dispatch(request);
                }
            }
        };
        server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), responses, dispatcher, false);
        server.init();
        client = new ClientBuilder()
                .setBasePath(server.url("/").replaceAll("/$", ""))
                .setVerifyingSsl(false)
                .build();
        fabric = server.createClient();
    }

    public static MockCluster start() {
        return new MockCluster();
    }

    public ApiClient client() {
        return client;
    }

    public KubernetesClient fabric() {
        return fabric;
    }

    public String url() {
        return server.url("/");
    }

    /** Adds an interceptor; the first one returning a response wins. */
    public MockCluster intercept(Interceptor interceptor) {
        interceptors.add(interceptor);
        return this;
    }

    private static RecordedRequest copy(RecordedRequest r, String body) {
        return new RecordedRequest("HTTP/1.1", r.method(), r.getPath(), r.getHeaders(), new Buffer().writeUtf8(body));
    }

    /** Every request with its body, in arrival order. */
    public List<Recorded> recorded() {
        return List.copyOf(recorded);
    }

    /** Every request as {@code METHOD path?query}, in arrival order. */
    public List<String> requests() {
        return recorded.stream().map(Recorded::toString).toList();
    }

    public long count(String method) {
        return recorded.stream().filter(r -> r.method().equals(method)).count();
    }

    public long count(String method, String pathPart) {
        return recorded.stream()
                .filter(r -> r.method().equals(method) && r.path().contains(pathPart))
                .count();
    }

    /** Lets the store answer a request directly (for interceptors that act first, then let it through). */
    public MockResponse passThrough(RecordedRequest request) {
        synchronized (store) {
            return store.dispatch(request);
        }
    }

    private static String kindOf(String plural) {
        String singular = plural.endsWith("s") ? plural.substring(0, plural.length() - 1) : plural;
        return Character.toUpperCase(singular.charAt(0)) + singular.substring(1);
    }

    private static String collection(ResourceType type, String namespace) {
        String base =
                type.group().isEmpty() ? "/api/" + type.version() : "/apis/" + type.group() + "/" + type.version();
        return type.namespaced() ? base + "/namespaces/" + namespace + "/" + type.plural() : base + "/" + type.plural();
    }

    /**
     * Sends a request straight to the CRUD store, bypassing HTTP and interceptors. Safe to call from an
     * interceptor: going through HTTP there would deadlock the mock's single event-loop thread.
     */
    public MockResponse store(HttpMethod method, String path, String contentType, String body) {
        Headers.Builder headers = Headers.builder();
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        Buffer buffer = new Buffer();
        if (body != null) {
            buffer.writeUtf8(body);
        }
        synchronized (store) {
            return store.dispatch(new RecordedRequest("HTTP/1.1", method, path, headers.build(), buffer));
        }
    }

    private static JsonObject json(MockResponse response) {
        String body = response.getBody() == null ? "" : response.getBody().readUtf8();
        return body.isBlank() ? null : JsonParser.parseString(body).getAsJsonObject();
    }

    /** Creates an object and returns its UID. */
    public String create(
            ResourceType type, String namespace, String name, Map<String, String> labels, List<String> finalizers) {
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        if (type.namespaced()) {
            meta.addProperty("namespace", namespace);
        }
        JsonObject labelJson = new JsonObject();
        labels.forEach(labelJson::addProperty);
        meta.add("labels", labelJson);
        JsonArray fin = new JsonArray();
        finalizers.forEach(fin::add);
        meta.add("finalizers", fin);
        JsonObject object = new JsonObject();
        object.addProperty("apiVersion", type.apiVersion());
        object.addProperty("kind", kindOf(type.plural()));
        object.add("metadata", meta);
        return create(type, namespace, object);
    }

    /** Creates an object from its JSON and returns its UID. */
    public String create(ResourceType type, String namespace, JsonObject object) {
        MockResponse response =
                store(HttpMethod.POST, collection(type, namespace), "application/json", object.toString());
        if (response.code() >= 300) {
            throw new IllegalStateException("create failed: " + response.code());
        }
        return json(response).getAsJsonObject("metadata").get("uid").getAsString();
    }

    public String create(ResourceType type, String namespace, String name) {
        return create(type, namespace, name, Map.of(), List.of());
    }

    /** The object as stored, or {@code null}. */
    public JsonObject get(ResourceType type, String namespace, String name) {
        MockResponse response = store(HttpMethod.GET, collection(type, namespace) + "/" + name, null, null);
        return response.code() == 200 ? json(response) : null;
    }

    public String uid(ResourceType type, String namespace, String name) {
        JsonObject o = get(type, namespace, name);
        return o == null ? null : o.getAsJsonObject("metadata").get("uid").getAsString();
    }

    public boolean exists(ResourceType type, String namespace, String name) {
        return get(type, namespace, name) != null;
    }

    /** Deletes an object as a concurrent actor would (finalizers still apply). */
    public void deleteNow(ResourceType type, String namespace, String name) {
        store(HttpMethod.DELETE, collection(type, namespace) + "/" + name, null, null);
    }

    /** Removes every finalizer, as a controller does when its work is done. */
    public void removeFinalizers(ResourceType type, String namespace, String name) {
        store(
                HttpMethod.PATCH,
                collection(type, namespace) + "/" + name,
                "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":null}}");
    }

    /** Objects of the type in the namespace, as stored. */
    public List<JsonObject> list(ResourceType type, String namespace) {
        JsonObject list = json(store(HttpMethod.GET, collection(type, namespace), null, null));
        List<JsonObject> items = new ArrayList<>();
        if (list != null && list.has("items")) {
            list.getAsJsonArray("items").forEach(i -> items.add(i.getAsJsonObject()));
        }
        return items;
    }

    public int countObjects(ResourceType type, String namespace) {
        return list(type, namespace).size();
    }

    /** A Kubernetes {@code Status} response, as a real API server sends for errors. */
    public static MockResponse status(int code, String reason, String message) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + JSON.getGson().toJson(message) + ",\"reason\":\"" + reason
                + "\",\"code\":" + code + "}";
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    /** Awaits a condition, polling every 10 ms, failing after the timeout. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** A GET for the object a DELETE names, answered by the store, to compare UIDs. */
    private MockResponse checkUidPrecondition(RecordedRequest request) {
        if (!"DELETE".equals(request.getMethod())) {
            return null;
        }
        String body = request.getUtf8Body();
        if (body == null || !body.contains("\"preconditions\"")) {
            return null;
        }
        var json = JsonParser.parseString(body).getAsJsonObject();
        var pre = json.getAsJsonObject("preconditions");
        if (pre == null || !pre.has("uid")) {
            return null;
        }
        String wanted = pre.get("uid").getAsString();
        String path = request.getPath().split("\\?")[0];
        JsonObject current = json(store(HttpMethod.GET, path, null, null));
        if (current == null) {
            return null;
        }
        String actual = current.getAsJsonObject("metadata").get("uid").getAsString();
        if (actual.equals(wanted)) {
            return null;
        }
        return status(
                409,
                "Conflict",
                "Precondition failed: UID in precondition: " + wanted + ", UID in object meta: " + actual);
    }

    @Override
    public void close() {
        fabric.close();
        server.destroy();
    }
}
