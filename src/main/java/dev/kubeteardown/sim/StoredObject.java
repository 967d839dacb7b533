package dev.kubeteardown.sim;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One immutable version of an object in the {@link ObjectStore}. The JSON document is never changed after
 * construction (writers take a {@link #copy()}), so versions can be shared by lists, watches and snapshots
 * without locking, and the serialized bytes are computed at most once.
 */
final class StoredObject {

    private final ApiResource resource;
    private final ObjectNode json;
    private final String namespace;
    private final String name;
    private final String uid;
    private final long resourceVersion;
    private final Map<String, String> labels;
    private final List<String> finalizers;
    private final boolean deleting;
    private volatile byte[] bytes;
    private volatile byte[] metadataBytes;

    StoredObject(ApiResource resource, ObjectNode json) {
        this.resource = resource;
        this.json = json;
        JsonNode metadata = Json.metadata(json);
        this.namespace = Json.text(metadata, "namespace");
        this.name = Json.text(metadata, "name");
        this.uid = Json.text(metadata, "uid");
        String rv = Json.text(metadata, "resourceVersion");
        this.resourceVersion = rv == null ? 0 : Long.parseLong(rv);
        this.labels = Json.stringMap(metadata.get("labels"));
        this.finalizers = Json.stringList(metadata.get("finalizers"));
        this.deleting = Json.text(metadata, "deletionTimestamp") != null;
    }

    static String key(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    ApiResource resource() {
        return resource;
    }

    String key() {
        return key(namespace, name);
    }

    String namespace() {
        return namespace;
    }

    String name() {
        return name;
    }

    String uid() {
        return uid;
    }

    long resourceVersion() {
        return resourceVersion;
    }

    Map<String, String> labels() {
        return labels;
    }

    List<String> finalizers() {
        return finalizers;
    }

    boolean deleting() {
        return deleting;
    }

    /** Read-only view; callers must not mutate it. */
    JsonNode json() {
        return json;
    }

    ObjectNode copy() {
        return json.deepCopy();
    }

    byte[] bytes() {
        byte[] cached = bytes;
        if (cached == null) {
            cached = Json.bytes(json);
            bytes = cached;
        }
        return cached;
    }

    /** The object as a {@code PartialObjectMetadata}: its metadata only, computed at most once. */
    byte[] metadataBytes() {
        byte[] cached = metadataBytes;
        if (cached == null) {
            ObjectNode partial = Json.object();
            partial.put("kind", "PartialObjectMetadata");
            partial.put("apiVersion", ResponseForm.META_API_VERSION);
            partial.set("metadata", Json.metadata(json));
            cached = Json.bytes(partial);
            metadataBytes = cached;
        }
        return cached;
    }

    /** The bytes of this object in {@code form}. */
    byte[] bytes(ResponseForm form) {
        return form == ResponseForm.METADATA ? metadataBytes() : bytes();
    }

    @Override
    public String toString() {
        return resource.qualifiedName() + " " + key() + " uid=" + uid + " rv=" + resourceVersion;
    }
}
