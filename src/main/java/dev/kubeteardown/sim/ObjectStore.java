package dev.kubeteardown.sim;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's etcd: every served object, indexed by type and {@code namespace/name} (the same key order
 * as etcd, so lists come back in real-server order), with one global resource-version counter, finalizer
 * semantics, and a bounded event history for watches.
 *
 * <p>Reads are lock-free on immutable {@link StoredObject} versions. Writes take one short lock, which also
 * orders events: listeners are called under it, in resource-version order, and must only hand work off.
 */
final class ObjectStore {

    /** Who is writing: API clients get status stripped and a fresh UID; the simulator itself does not. */
    enum Origin {
        API,
        SYSTEM
    }

    record Snapshot(List<StoredObject> items, long resourceVersion) {}

    /** The object after a write; {@code gone} when the write removed it (its last finalizer went). */
    record WriteResult(StoredObject object, boolean gone) {}

    /** DeleteOptions preconditions; null fields are not checked. */
    record Preconditions(String uid, String resourceVersion) {
        static final Preconditions NONE = new Preconditions(null, null);
    }

    interface Listener {
        void onEvent(StoreEvent event);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);
    private static final String NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<ApiResource, ConcurrentSkipListMap<String, StoredObject>> objects = new LinkedHashMap<>();
    private final Map<String, ApiResource> byPath = new LinkedHashMap<>();
    private final ArrayDeque<StoreEvent> history = new ArrayDeque<>();
    private final int historyLimit;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private final SeededIds ids;
    private volatile long resourceVersion;
    private long compactedThrough;

    ObjectStore(Collection<ApiResource> served, int historyLimit, Clock clock) {
        this(served, historyLimit, clock, 1);
    }

    /** {@code seed}: of the UIDs and generated names handed out (the same seed, the same sequence). */
    ObjectStore(Collection<ApiResource> served, int historyLimit, Clock clock, long seed) {
        this.ids = new SeededIds(seed);
        for (ApiResource resource : served) {
            objects.put(resource, new ConcurrentSkipListMap<>());
            byPath.put(pathKey(resource.group(), resource.version(), resource.plural()), resource);
        }
        this.historyLimit = historyLimit;
        this.clock = clock;
    }

    private static String pathKey(String group, String version, String plural) {
        return group + "/" + version + "/" + plural;
    }

    ApiResource resolve(String group, String version, String plural) {
        return byPath.get(pathKey(group, version, plural));
    }

    Collection<ApiResource> served() {
        return objects.keySet();
    }

    long resourceVersion() {
        return resourceVersion;
    }

    String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }

    StoredObject get(ApiResource resource, String namespace, String name) {
        return map(resource).get(StoredObject.key(scope(resource, namespace), name));
    }

    /** A consistent, key-ordered copy of one namespace (or all, for null) at one resource version. */
    Snapshot snapshot(ApiResource resource, String namespace) {
        return locked(() -> new Snapshot(List.copyOf(range(resource, namespace).values()), resourceVersion));
    }

    /** A weakly consistent view for scans by the simulator's own controller. */
    Collection<StoredObject> scan(ApiResource resource) {
        return map(resource).values();
    }

    private Map<String, StoredObject> range(ApiResource resource, String namespace) {
        ConcurrentSkipListMap<String, StoredObject> map = map(resource);
        if (namespace == null || !resource.namespaced()) {
            return map;
        }
        // '0' follows '/', so this is exactly the keys "namespace/..."
        return map.subMap(namespace + "/", namespace + "0");
    }

    StoredObject create(ApiResource resource, String namespace, ObjectNode object, Origin origin, boolean dryRun) {
        return locked(() -> {
            ObjectNode created = object.deepCopy();
            ObjectNode metadata = Json.metadataForWrite(created);
            String name = Json.text(metadata, "name");
            if (name == null || name.isEmpty()) {
                String generateName = Json.text(metadata, "generateName");
                if (generateName == null || generateName.isEmpty()) {
                    throw StatusException.invalid(
                            resource, "", "metadata.name: Required value: name or generateName is required");
                }
                name = generateName + ids.nextSuffix(NAME_SUFFIX_ALPHABET, 5);
                metadata.put("name", name);
            }
            TypeMeta.apply(resource, created);
            String ns = scope(resource, namespace);
            String bodyNamespace = Json.text(metadata, "namespace");
            if (ns != null && bodyNamespace != null && !bodyNamespace.isEmpty() && !bodyNamespace.equals(ns)) {
                throw StatusException.badRequest(
                        "the namespace of the provided object does not match the namespace sent on the request");
            }
            if (ns == null) {
                metadata.remove("namespace");
            } else {
                metadata.put("namespace", ns);
                ApiResource namespaces = resolve("", "v1", "namespaces");
                if (origin == Origin.API && namespaces != null && get(namespaces, null, ns) == null) {
                    throw StatusException.notFound(namespaces, ns);
                }
            }
            if (map(resource).containsKey(StoredObject.key(ns, name))) {
                throw StatusException.alreadyExists(resource, name);
            }
            if (origin == Origin.API || Json.text(metadata, "uid") == null) {
                metadata.put("uid", ids.nextUid());
            }
            if (origin == Origin.API) {
                created.remove("status");
            }
            metadata.remove("deletionTimestamp");
            metadata.remove("deletionGracePeriodSeconds");
            if (origin == Origin.API || Json.text(metadata, "creationTimestamp") == null) {
                metadata.put("creationTimestamp", now());
            }
            metadata.put("generation", 1);
            metadata.put("resourceVersion", Long.toString(dryRun ? resourceVersion : resourceVersion + 1));
            StoredObject stored = new StoredObject(resource, created);
            if (!dryRun) {
                commit(stored, null, StoreEvent.Type.ADDED);
            }
            return stored;
        });
    }

    /**
     * Read-modify-write under the store lock. {@code change} sees the current version and returns the whole
     * proposed object (or throws a {@link StatusException}); the store then applies what a real API server
     * enforces: immutable metadata, no new finalizers while deleting, generation and resource version, no-op
     * detection, and removal once a deleting object has no finalizers left.
     */
    WriteResult update(
            ApiResource resource,
            String namespace,
            String name,
            Function<StoredObject, ObjectNode> change,
            boolean dryRun) {
        return locked(() -> {
            StoredObject current = get(resource, namespace, name);
            if (current == null) {
                throw StatusException.notFound(resource, name);
            }
            ObjectNode proposed = change.apply(current);
            TypeMeta.apply(resource, proposed);
            ObjectNode metadata = Json.metadataForWrite(proposed);
            JsonNode currentMetadata = Json.metadata(current.json());
            for (String field : List.of(
                    "name",
                    "namespace",
                    "uid",
                    "creationTimestamp",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                    "generation",
                    "resourceVersion")) {
                JsonNode value = currentMetadata.get(field);
                if (value == null) {
                    metadata.remove(field);
                } else {
                    metadata.set(field, value.deepCopy());
                }
            }
            List<String> finalizers = Json.stringList(metadata.get("finalizers"));
            if (current.deleting()) {
                Set<String> added = new HashSet<>(finalizers);
                current.finalizers().forEach(added::remove);
                if (!added.isEmpty()) {
                    throw StatusException.invalid(
                            resource,
                            name,
                            "metadata.finalizers: Forbidden: no new finalizers can "
                                    + "be added if the object is being deleted, found new finalizers "
                                    + goSlice(added));
                }
            }
            if (proposed.equals(current.json())) {
                return new WriteResult(current, false);
            }
            if (specChanged(current.json(), proposed)) {
                metadata.put("generation", currentMetadata.path("generation").asLong(1) + 1);
            }
            metadata.put("resourceVersion", Long.toString(dryRun ? resourceVersion : resourceVersion + 1));
            StoredObject next = new StoredObject(resource, proposed);
            boolean gone = current.deleting() && finalizers.isEmpty();
            if (!dryRun) {
                if (gone) {
                    remove(next, current);
                } else {
                    commit(next, current, StoreEvent.Type.MODIFIED);
                }
            }
            return new WriteResult(next, gone);
        });
    }

    /** DELETE with a real server's semantics: preconditions, then mark (finalizers left) or remove. */
    WriteResult delete(
            ApiResource resource, String namespace, String name, Preconditions preconditions, boolean dryRun) {
        return locked(() -> {
            StoredObject current = get(resource, namespace, name);
            if (current == null) {
                throw StatusException.notFound(resource, name);
            }
            if (preconditions.uid() != null && !preconditions.uid().equals(current.uid())) {
                throw StatusException.uidPrecondition(resource, name, preconditions.uid(), current.uid());
            }
            String currentRv = Long.toString(current.resourceVersion());
            if (preconditions.resourceVersion() != null
                    && !preconditions.resourceVersion().equals(currentRv)) {
                throw StatusException.resourceVersionPrecondition(
                        resource, name, preconditions.resourceVersion(), currentRv);
            }
            if (current.finalizers().isEmpty()) {
                StoredObject last = dryRun ? current : withNextVersion(current, null);
                if (!dryRun) {
                    remove(last, current);
                }
                return new WriteResult(last, true);
            }
            if (current.deleting()) {
                return new WriteResult(current, false);
            }
            ObjectNode marked = current.copy();
            ObjectNode metadata = Json.metadataForWrite(marked);
            metadata.put("deletionTimestamp", now());
            metadata.put("deletionGracePeriodSeconds", 0);
            StoredObject next = dryRun ? new StoredObject(resource, marked) : withNextVersion(current, marked);
            if (!dryRun) {
                commit(next, current, StoreEvent.Type.MODIFIED);
            }
            return new WriteResult(next, false);
        });
    }

    /** Removes an object regardless of finalizers, as if another actor had deleted it long ago. */
    StoredObject forceRemove(ApiResource resource, String namespace, String name) {
        return locked(() -> {
            StoredObject current = get(resource, namespace, name);
            if (current == null) {
                return null;
            }
            StoredObject last = withNextVersion(current, null);
            remove(last, current);
            return last;
        });
    }

    /** Replaces an object by a fresh one with the same name and content but a new UID and no deletion mark. */
    StoredObject recreate(ApiResource resource, String namespace, String name) {
        return locked(() -> {
            StoredObject current = forceRemove(resource, namespace, name);
            if (current == null) {
                return null;
            }
            ObjectNode fresh = current.copy();
            Json.metadataForWrite(fresh).remove(List.of("uid", "creationTimestamp"));
            return create(resource, namespace, fresh, Origin.SYSTEM, false);
        });
    }

    /**
     * Registers a watch listener atomically with its replay: for {@code sinceVersion} null, a synthetic ADDED
     * for every current object of the type; otherwise every retained event after that version.
     *
     * @return the action that unregisters the listener
     * @throws StatusException 410 Expired when the history no longer reaches back to {@code sinceVersion}
     */
    Runnable subscribe(ApiResource resource, Long sinceVersion, Listener listener) {
        return locked(() -> {
            if (sinceVersion == null) {
                for (StoredObject object : map(resource).values()) {
                    listener.onEvent(new StoreEvent(StoreEvent.Type.ADDED, object, null));
                }
            } else {
                if (sinceVersion < compactedThrough) {
                    throw StatusException.expiredResourceVersion(sinceVersion, compactedThrough + 1);
                }
                for (StoreEvent event : history) {
                    if (event.resourceVersion() > sinceVersion
                            && event.object().resource().equals(resource)) {
                        listener.onEvent(event);
                    }
                }
            }
            // live events too are only this resource's (the replay above is filtered the same way)
            Listener ofResource = event -> {
                if (event.object().resource().equals(resource)) {
                    listener.onEvent(event);
                }
            };
            listeners.add(ofResource);
            return () -> listeners.remove(ofResource);
        });
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Runs {@code action} under the store lock, which orders writes, resource versions and events. */
    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private StoredObject withNextVersion(StoredObject current, ObjectNode changed) {
        ObjectNode next = changed == null ? current.copy() : changed;
        Json.metadataForWrite(next).put("resourceVersion", Long.toString(resourceVersion + 1));
        return new StoredObject(current.resource(), next);
    }

    private void commit(StoredObject next, StoredObject previous, StoreEvent.Type type) {
        resourceVersion = next.resourceVersion();
        map(next.resource()).put(next.key(), next);
        emit(new StoreEvent(type, next, previous));
    }

    private void remove(StoredObject last, StoredObject previous) {
        resourceVersion = last.resourceVersion();
        map(last.resource()).remove(last.key());
        emit(new StoreEvent(StoreEvent.Type.DELETED, last, previous));
    }

    private void emit(StoreEvent event) {
        history.addLast(event);
        while (history.size() > historyLimit) {
            compactedThrough = history.removeFirst().resourceVersion();
        }
        for (Listener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Store listener {} failed on {} {}", listener, event.type(), event.object(), e);
            }
        }
    }

    private ConcurrentSkipListMap<String, StoredObject> map(ApiResource resource) {
        ConcurrentSkipListMap<String, StoredObject> map = objects.get(resource);
        if (map == null) {
            throw new IllegalArgumentException("not served: " + resource.qualifiedName() + "/" + resource.version());
        }
        return map;
    }

    private static String scope(ApiResource resource, String namespace) {
        return resource.namespaced() ? Objects.requireNonNull(namespace, "namespace") : null;
    }

    /** Whether anything outside metadata and status differs, which is what bumps metadata.generation. */
    private static boolean specChanged(JsonNode before, JsonNode after) {
        Set<String> fields = new HashSet<>(before.propertyNames());
        fields.addAll(after.propertyNames());
        fields.remove("metadata");
        fields.remove("status");
        for (String field : fields) {
            if (!Objects.equals(before.get(field), after.get(field))) {
                return true;
            }
        }
        return false;
    }

    private static String goSlice(Collection<String> values) {
        List<String> quoted = new ArrayList<>();
        values.stream().sorted().forEach(v -> quoted.add("\"" + v + "\""));
        return "[]string{" + String.join(", ", quoted) + "}";
    }
}
