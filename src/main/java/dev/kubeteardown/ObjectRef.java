package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few fields of a listed object that a run needs; the rest of its JSON is dropped as soon as the page is read,
 * so memory grows with the page size, not with the number of objects.
 */
record ObjectRef(
        String namespace,
        String name,
        String uid,
        String resourceVersion,
        List<String> finalizers,
        String deletionTimestamp,
        List<Owner> owners) {

    /**
     * One entry of {@code metadata.ownerReferences}: the garbage collector deletes the object once every owner it
     * names is gone, which is how an all-types sweep leaves owned objects to it.
     */
    record Owner(String kind, String name, String uid) {
        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    /** An object without owner references. */
    ObjectRef(
            String namespace,
            String name,
            String uid,
            String resourceVersion,
            List<String> finalizers,
            String deletionTimestamp) {
        this(namespace, name, uid, resourceVersion, finalizers, deletionTimestamp, List.of());
    }

    static ObjectRef of(JsonObject object) {
        JsonObject meta = object.has("metadata") && object.get("metadata").isJsonObject()
                ? object.getAsJsonObject("metadata")
                : new JsonObject();
        List<String> finalizers = new ArrayList<>();
        if (meta.has("finalizers") && meta.get("finalizers").isJsonArray()) {
            meta.getAsJsonArray("finalizers").forEach(f -> finalizers.add(f.getAsString()));
        }
        List<Owner> owners = new ArrayList<>();
        if (meta.has("ownerReferences") && meta.get("ownerReferences").isJsonArray()) {
            for (JsonElement o : meta.getAsJsonArray("ownerReferences")) {
                if (o.isJsonObject() && string(o.getAsJsonObject(), "uid") != null) {
                    JsonObject owner = o.getAsJsonObject();
                    owners.add(new Owner(string(owner, "kind"), string(owner, "name"), string(owner, "uid")));
                }
            }
        }
        return new ObjectRef(
                string(meta, "namespace"),
                string(meta, "name"),
                string(meta, "uid"),
                string(meta, "resourceVersion"),
                List.copyOf(finalizers),
                string(meta, "deletionTimestamp"),
                List.copyOf(owners));
    }

    static Map<String, String> labels(JsonObject object) {
        JsonElement meta = object.get("metadata");
        if (meta == null || !meta.isJsonObject() || !meta.getAsJsonObject().has("labels")) {
            return Map.of();
        }
        JsonElement labels = meta.getAsJsonObject().get("labels");
        if (!labels.isJsonObject()) {
            return Map.of();
        }
        Map<String, String> result = new HashMap<>();
        labels.getAsJsonObject()
                .entrySet()
                .forEach(e -> result.put(
                        e.getKey(),
                        e.getValue().isJsonNull() ? "" : e.getValue().getAsString()));
        return result;
    }

    static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        // a field of an unexpected shape (an object where a string belongs) reads as absent, not as an exception
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    /**
     * What tells this object apart from any other in a run: its UID, or (for a server that sends none) its
     * qualified name. A same-name object re-created after the list has another identity.
     */
    String identity() {
        return uid == null || uid.isEmpty() ? "name:" + qualifiedName() : uid;
    }

    String qualifiedName() {
        return namespace == null ? name : namespace + "/" + name;
    }

    /** {@code finalizers [longhorn.io], deletionTimestamp 2026-...}, for STUCK details. */
    String holdDescription() {
        return "finalizers " + finalizers
                + (deletionTimestamp == null ? ", no deletionTimestamp" : ", deletionTimestamp " + deletionTimestamp);
    }
}
