package dev.kubeteardown;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What an API server puts on the wire, built by hand, for interceptors that script exact answers. */
final class Wire {

    private Wire() {}

    /** An object as listed: namespace, name, UID, resourceVersion and labels. */
    static JsonObject object(String namespace, String name, String uid, String resourceVersion) {
        return object(namespace, name, uid, resourceVersion, Map.of(), List.of());
    }

    static JsonObject object(
            String namespace,
            String name,
            String uid,
            String resourceVersion,
            Map<String, String> labels,
            List<String> finalizers) {
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        meta.addProperty("namespace", namespace);
        meta.addProperty("uid", uid);
        meta.addProperty("resourceVersion", resourceVersion);
        JsonObject labelJson = new JsonObject();
        labels.forEach(labelJson::addProperty);
        meta.add("labels", labelJson);
        if (!finalizers.isEmpty()) {
            JsonArray array = new JsonArray();
            finalizers.forEach(array::add);
            meta.add("finalizers", array);
        }
        JsonObject object = new JsonObject();
        object.addProperty("apiVersion", "longhorn.io/v1beta2");
        object.addProperty("kind", "Backup");
        object.add("metadata", meta);
        return object;
    }

    /** One list page; {@code continueToken} {@code null} on the last page. */
    static MockResponse list(String resourceVersion, String continueToken, JsonObject... items) {
        JsonObject meta = new JsonObject();
        meta.addProperty("resourceVersion", resourceVersion);
        if (continueToken != null) {
            meta.addProperty("continue", continueToken);
        }
        JsonArray array = new JsonArray();
        for (JsonObject item : items) {
            array.add(item);
        }
        JsonObject list = new JsonObject();
        list.addProperty("apiVersion", "longhorn.io/v1beta2");
        list.addProperty("kind", "BackupList");
        list.add("metadata", meta);
        list.add("items", array);
        return json(200, list);
    }

    /** A watch answer that streams these events, one JSON object per line, then ends. */
    static MockResponse watch(JsonObject... events) {
        StringBuilder body = new StringBuilder();
        for (JsonObject event : events) {
            body.append(event).append('\n');
        }
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }

    /** A watch event: {@code ADDED}, {@code MODIFIED}, {@code DELETED}, {@code BOOKMARK} or {@code ERROR}. */
    static JsonObject event(String type, JsonObject object) {
        JsonObject event = new JsonObject();
        event.addProperty("type", type);
        event.add("object", object);
        return event;
    }

    /** The ERROR event a real server streams when the watch's resourceVersion was compacted away. */
    static JsonObject expiredEvent() {
        JsonObject status = new JsonObject();
        status.addProperty("kind", "Status");
        status.addProperty("apiVersion", "v1");
        status.addProperty("status", "Failure");
        status.addProperty("message", "too old resource version: 10 (20)");
        status.addProperty("reason", "Expired");
        status.addProperty("code", 410);
        return event("ERROR", status);
    }

    static MockResponse json(int code, JsonObject body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }

    /** A plain-text answer, as the API server sends {@code 404 page not found} for a path it does not serve. */
    static MockResponse text(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "text/plain")
                .setBody(body);
    }

    /** The path without its query. */
    static String path(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    /** A query parameter of a request path, decoded, or {@code null} when absent. */
    static String param(String pathAndQuery, String key) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : pathAndQuery.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(key)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
