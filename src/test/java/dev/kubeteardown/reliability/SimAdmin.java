package dev.kubeteardown.reliability;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The test's own plain-HTTP access to a simulator (seeding, snapshots, the finalizer controller), on a client of
 * its own so that none of it passes through the engine's wire log. Call it with no fault plan installed, except
 * for the controller's patches, which retry.
 */
final class SimAdmin {

    static final String BACKUPS = "/apis/longhorn.io/v1beta2/backups";
    static final MediaType JSON = MediaType.get("application/json");
    static final MediaType MERGE_PATCH = MediaType.get("application/merge-patch+json");

    /** Shared by every run: connections are keyed by address, so simulators on other ports do not mix. */
    private static final OkHttpClient BASE = new OkHttpClient.Builder()
            .retryOnConnectionFailure(false)
            .connectTimeout(5, TimeUnit.SECONDS)
            .readTimeout(10, TimeUnit.SECONDS)
            .build();

    /** One object as a snapshot sees it. */
    record Obj(
            String namespace,
            String name,
            String uid,
            long resourceVersion,
            Map<String, String> labels,
            List<String> finalizers,
            boolean deleting) {

        String key() {
            return namespace + "/" + name;
        }

        static Obj of(JsonObject object) {
            JsonObject meta = object.getAsJsonObject("metadata");
            Map<String, String> labels = new LinkedHashMap<>();
            if (meta.has("labels") && meta.get("labels").isJsonObject()) {
                meta.getAsJsonObject("labels")
                        .entrySet()
                        .forEach(e -> labels.put(e.getKey(), e.getValue().getAsString()));
            }
            List<String> finalizers = new ArrayList<>();
            if (meta.has("finalizers") && meta.get("finalizers").isJsonArray()) {
                meta.getAsJsonArray("finalizers").forEach(f -> finalizers.add(f.getAsString()));
            }
            return new Obj(
                    meta.get("namespace").getAsString(),
                    meta.get("name").getAsString(),
                    meta.get("uid").getAsString(),
                    Long.parseLong(meta.get("resourceVersion").getAsString()),
                    Map.copyOf(labels),
                    List.copyOf(finalizers),
                    meta.has("deletionTimestamp")
                            && !meta.get("deletionTimestamp").isJsonNull());
        }
    }

    record Reply(int code, JsonObject json) {}

    private final String url;
    private final OkHttpClient http;

    SimAdmin(String url) {
        this.url = url;
        this.http = BASE;
    }

    /** A client for a watch: no read timeout, the stream stays open until closed. */
    OkHttpClient streaming() {
        return BASE.newBuilder().readTimeout(Duration.ZERO).build();
    }

    String url() {
        return url;
    }

    static String objectPath(String namespace, String name) {
        return "/apis/longhorn.io/v1beta2/namespaces/" + namespace + "/backups/" + name;
    }

    void createNamespace(String name) {
        JsonObject ns = new JsonObject();
        ns.addProperty("apiVersion", "v1");
        ns.addProperty("kind", "Namespace");
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        ns.add("metadata", meta);
        expect(201, send("POST", "/api/v1/namespaces", ns.toString(), JSON), "create namespace " + name);
    }

    Obj createBackup(String namespace, String name, Map<String, String> labels, List<String> finalizers) {
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        meta.addProperty("namespace", namespace);
        JsonObject l = new JsonObject();
        labels.forEach(l::addProperty);
        meta.add("labels", l);
        JsonArray f = new JsonArray();
        finalizers.forEach(f::add);
        meta.add("finalizers", f);
        JsonObject backup = new JsonObject();
        backup.addProperty("apiVersion", "longhorn.io/v1beta2");
        backup.addProperty("kind", "Backup");
        backup.add("metadata", meta);
        JsonObject spec = new JsonObject();
        spec.addProperty("snapshotName", "snap-" + name);
        backup.add("spec", spec);
        Reply reply =
                send("POST", "/apis/longhorn.io/v1beta2/namespaces/" + namespace + "/backups", backup.toString(), JSON);
        expect(201, reply, "create backup " + namespace + "/" + name);
        return Obj.of(reply.json());
    }

    /** Marks an object deleting without a precondition, as another actor would (it keeps its finalizers). */
    void delete(String namespace, String name) {
        expect(200, send("DELETE", objectPath(namespace, name), null, null), "delete " + namespace + "/" + name);
    }

    /** Every backup in every namespace, by UID, in one unpaged list. */
    Map<String, Obj> snapshot() {
        Reply reply = send("GET", BACKUPS, null, null);
        expect(200, reply, "list backups");
        Map<String, Obj> byUid = new LinkedHashMap<>();
        for (JsonElement item : reply.json().getAsJsonArray("items")) {
            Obj o = Obj.of(item.getAsJsonObject());
            byUid.put(o.uid(), o);
        }
        return byUid;
    }

    Reply get(String path) {
        return send("GET", path, null, null);
    }

    Reply mergePatch(String path, String patch) {
        return send("PATCH", path, patch, MERGE_PATCH);
    }

    Reply send(String method, String path, String body, MediaType type) {
        Request.Builder request = new Request.Builder()
                .url(url + path)
                .method(method, body == null ? null : RequestBody.create(body, type));
        try (Response response = http.newCall(request.build()).execute()) {
            String text = response.body().string();
            JsonObject json = null;
            if (!text.isBlank()) {
                try {
                    JsonElement e = JsonParser.parseString(text);
                    json = e.isJsonObject() ? e.getAsJsonObject() : null;
                } catch (RuntimeException notJson) {
                    json = null;
                }
            }
            return new Reply(response.code(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    private static void expect(int code, Reply reply, String what) {
        if (reply.code() != code) {
            throw new IllegalStateException(what + ": expected " + code + ", got " + reply.code() + " " + reply.json());
        }
    }
}
