package dev.kubeteardown.sim;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One immutable version of an object in the {@link ObjectStore}, kept as its serialized bytes plus the fields the
 * store indexes: lists and watches send the bytes as they are, and only the rarer writes and controller reads
 * parse them ({@link #json()}, {@link #copy()}). A tree per version would cost several times the bytes, and a
 * store of 100,000 objects, with the old versions its watch history and list snapshots keep, must fit a test JVM.
 * Versions can be shared by lists, watches and snapshots without locking.
 */
final class StoredObject {

    private final ApiResource resource;
    private final String namespace;
    private final String name;
    private final String uid;
    private final long resourceVersion;
    private final Map<String, String> labels;
    private final List<String> finalizers;
    private final boolean deleting;
    private final byte[] bytes;
    private volatile byte[] metadataBytes;

    StoredObject(ApiResource resource, ObjectNode json) {
        this.resource = resource;
        this.bytes = Json.bytes(json);
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

    /** The document, parsed anew on each call (a caller may change its copy; the version stays as it was). */
    JsonNode json() {
        return copy();
    }

    ObjectNode copy() {
        return Json.parseObject(bytes);
    }

    /** The serialized document; callers must not change the array. */
    byte[] bytes() {
        return bytes;
    }

    /** The object as a {@code PartialObjectMetadata}: its metadata only, computed at most once. */
    byte[] metadataBytes() {
        byte[] cached = metadataBytes;
        if (cached == null) {
            ObjectNode partial = Json.object();
            partial.put("kind", "PartialObjectMetadata");
            partial.put("apiVersion", ResponseForm.META_API_VERSION);
            partial.set("metadata", Json.metadata(copy()));
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
