package dev.kubeteardown.it;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;

/**
 * A namespace of its own for one test on the real API server, with helpers to create, read and delete Longhorn
 * custom objects in it through an admin client (client-java {@link CustomObjectsApi}). {@link #close()} strips the
 * finalizers of whatever is left and deletes the namespace without waiting, so tests never see each other's objects.
 */
public final class ItNamespace implements AutoCloseable {

    static final String GROUP = "longhorn.io";
    static final String VERSION = "v1beta2";
    static final String API_VERSION = GROUP + "/" + VERSION;
    static final String BACKUPS = "backups";
    static final String BACKUP_VOLUMES = "backupvolumes";
    /** Longhorn's finalizer on backups and backup volumes. */
    static final String FINALIZER = "longhorn.io";

    private final RealApiServer server;
    private final ApiClient admin;
    private final CustomObjectsApi api;
    private final String name;

    private ItNamespace(RealApiServer server, String name) {
        this.server = server;
        this.admin = server.adminClient();
        this.api = new CustomObjectsApi(admin);
        this.name = name;
    }

    /** Creates {@code it-PREFIX-RANDOM} and returns it. */
    public static ItNamespace create(RealApiServer server, String prefix) throws ApiException {
        String name = "it-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        ItNamespace ns = new ItNamespace(server, name);
        new CoreV1Api(ns.admin)
                .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name)))
                .execute();
        return ns;
    }

    /** A fresh name for a namespace that is never created. */
    static String missingName(String prefix) {
        return "it-" + prefix + "-missing-" + UUID.randomUUID().toString().substring(0, 6);
    }

    public String name() {
        return name;
    }

    CustomObjectsApi api() {
        return api;
    }

    ApiClient admin() {
        return admin;
    }

    // ----------------------------------------------------------------------------------------------
    // create

    /** A Backup to create; fluent. */
    public static final class BackupSpec {
        final String name;
        final Map<String, String> labels = new LinkedHashMap<>();
        final List<String> finalizers = new ArrayList<>();
        final List<Map<String, Object>> owners = new ArrayList<>();

        BackupSpec(String name) {
            this.name = name;
        }

        BackupSpec label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        BackupSpec labels(Map<String, String> more) {
            labels.putAll(more);
            return this;
        }

        public BackupSpec finalizer(String finalizer) {
            finalizers.add(finalizer);
            return this;
        }

        /** Owned by this BackupVolume (as returned by create): apiVersion, kind, name, uid. */
        BackupSpec ownedBy(Map<String, Object> backupVolume, boolean blockOwnerDeletion) {
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("apiVersion", API_VERSION);
            ref.put("kind", "BackupVolume");
            ref.put("name", nameOf(backupVolume));
            ref.put("uid", uidOf(backupVolume));
            if (blockOwnerDeletion) {
                ref.put("blockOwnerDeletion", true);
            }
            owners.add(ref);
            return this;
        }
    }

    public static BackupSpec backup(String name) {
        return new BackupSpec(name);
    }

    Map<String, Object> create(BackupSpec spec) throws ApiException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", spec.name);
        if (!spec.labels.isEmpty()) {
            metadata.put("labels", spec.labels);
        }
        if (!spec.finalizers.isEmpty()) {
            metadata.put("finalizers", spec.finalizers);
        }
        if (!spec.owners.isEmpty()) {
            metadata.put("ownerReferences", spec.owners);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", API_VERSION);
        body.put("kind", "Backup");
        body.put("metadata", metadata);
        body.put("spec", Map.of("snapshotName", "snap-" + spec.name, "labels", Map.of("KubernetesStatus", "{}")));
        return asMap(api.createNamespacedCustomObject(GROUP, VERSION, name, BACKUPS, body)
                .execute());
    }

    /** Creates a BackupVolume for {@code volumeName}, with the given finalizers and labels. */
    Map<String, Object> createBackupVolume(
            String bvName, String volumeName, List<String> finalizers, Map<String, String> labels) throws ApiException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", bvName);
        if (!labels.isEmpty()) {
            metadata.put("labels", labels);
        }
        if (!finalizers.isEmpty()) {
            metadata.put("finalizers", finalizers);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", API_VERSION);
        body.put("kind", "BackupVolume");
        body.put("metadata", metadata);
        body.put("spec", Map.of("volumeName", volumeName, "backupTargetName", "default"));
        return asMap(api.createNamespacedCustomObject(GROUP, VERSION, name, BACKUP_VOLUMES, body)
                .execute());
    }

    /** Creates every backup with {@code threads} concurrent requests; returns name -> created object. */
    public Map<String, Map<String, Object>> createAll(List<BackupSpec> specs, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "it-create-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Map<String, Object>>> futures = new ArrayList<>();
            for (BackupSpec spec : specs) {
                futures.add(pool.submit(() -> create(spec)));
            }
            Map<String, Map<String, Object>> created = new LinkedHashMap<>();
            for (Future<Map<String, Object>> f : futures) {
                try {
                    Map<String, Object> o = f.get(60, TimeUnit.SECONDS);
                    created.put(nameOf(o), o);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
            return created;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // read

    List<Map<String, Object>> list(String plural) throws ApiException {
        Map<String, Object> list = asMap(
                api.listNamespacedCustomObject(GROUP, VERSION, name, plural).execute());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Object item : (List<?>) list.get("items")) {
            items.add(asMap(item));
        }
        return items;
    }

    /** Names present now (terminating ones included), sorted. */
    Set<String> names(String plural) throws ApiException {
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> o : list(plural)) {
            names.add(nameOf(o));
        }
        return names;
    }

    Optional<Map<String, Object>> get(String plural, String objectName) throws ApiException {
        try {
            return Optional.of(asMap(api.getNamespacedCustomObject(GROUP, VERSION, name, plural, objectName)
                    .execute()));
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Waits (polling, with a deadline) until nothing of the plural is left in the namespace. */
    void awaitEmpty(String plural, Duration timeout) throws Exception {
        RealApiServer.await(
                plural + " in " + name + " to be gone",
                timeout,
                () -> names(plural).isEmpty() ? Optional.of(true) : Optional.empty());
    }

    // ----------------------------------------------------------------------------------------------
    // change

    /** Deletes as a third party would (admin, no preconditions); true when it was there. */
    boolean delete(String plural, String objectName) throws ApiException {
        try {
            api.deleteNamespacedCustomObject(GROUP, VERSION, name, plural, objectName)
                    .body(new V1DeleteOptions().propagationPolicy("Background"))
                    .execute();
            return true;
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** A JSON merge patch as admin. */
    Map<String, Object> mergePatch(String plural, String objectName, String json) throws ApiException {
        return asMap(PatchUtils.patch(
                Object.class,
                () -> api.patchNamespacedCustomObject(GROUP, VERSION, name, plural, objectName, new V1Patch(json))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                admin));
    }

    /** Removes every finalizer of the object; false when it is gone. */
    boolean removeFinalizers(String plural, String objectName) throws ApiException {
        try {
            mergePatch(plural, objectName, "{\"metadata\":{\"finalizers\":null}}");
            return true;
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Strips finalizers of what is left and deletes the namespace (without waiting for it to go). */
    @Override
    public void close() throws Exception {
        for (String plural : List.of(BACKUP_VOLUMES, BACKUPS)) {
            for (Map<String, Object> o : list(plural)) {
                if (!finalizersOf(o).isEmpty()) {
                    removeFinalizers(plural, nameOf(o));
                }
            }
        }
        // The typed deleteNamespace cannot read the Namespace the server answers with; send the call raw.
        try (Response ignored =
                new CoreV1Api(admin).deleteNamespace(name).buildCall(null).execute()) {
            // 200 or 202: the namespace controller removes the rest
        }
    }

    @Override
    public String toString() {
        return name + " on " + server.apiUrl();
    }

    // ----------------------------------------------------------------------------------------------
    // reading custom objects (gson maps)

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> metadataOf(Map<String, Object> o) {
        return asMap(o.get("metadata"));
    }

    static String nameOf(Map<String, Object> o) {
        return (String) metadataOf(o).get("name");
    }

    static String uidOf(Map<String, Object> o) {
        return (String) metadataOf(o).get("uid");
    }

    static String resourceVersionOf(Map<String, Object> o) {
        return (String) metadataOf(o).get("resourceVersion");
    }

    static String deletionTimestampOf(Map<String, Object> o) {
        return (String) metadataOf(o).get("deletionTimestamp");
    }

    @SuppressWarnings("unchecked")
    static List<String> finalizersOf(Map<String, Object> o) {
        Object f = metadataOf(o).get("finalizers");
        return f == null ? List.of() : (List<String>) f;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labelsOf(Map<String, Object> o) {
        Object l = metadataOf(o).get("labels");
        return l == null ? Map.of() : new HashMap<>((Map<String, String>) l);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> ownerReferencesOf(Map<String, Object> o) {
        Object l = metadataOf(o).get("ownerReferences");
        return l == null ? List.of() : (List<Map<String, Object>>) l;
    }
}
