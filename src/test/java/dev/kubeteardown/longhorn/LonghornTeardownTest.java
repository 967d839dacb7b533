package dev.kubeteardown.longhorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Longhorn's teardown order on the mock, with a small simulated Longhorn controller. */
class LonghornTeardownTest {

    static final ResourceType VOLUMES = Longhorn.backupVolumes("v1beta2");
    static final ResourceType BACKUPS = Longhorn.backups("v1beta2");
    static final String NS = Longhorn.DEFAULT_NAMESPACE;

    MockCluster cluster;
    ScheduledExecutorService controller;
    /** backup volume name -> its backups' names */
    final Map<String, List<String>> owned = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        controller = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() {
        controller.shutdownNow();
        cluster.close();
    }

    /** 3 backup volumes x 4 backups (owned, finalizers), plus 2 failed backups without an owner. */
    void seedBackupstore() {
        for (int v = 1; v <= 3; v++) {
            String volume = "vol-" + v;
            String bvName = volume + "-7f3a" + v;
            String bvUid = cluster.create(VOLUMES, NS, bvName, Map.of(), List.of(Longhorn.FINALIZER));
            List<String> backups = new ArrayList<>();
            for (int b = 1; b <= 4; b++) {
                String name = "backup-" + v + "0" + b;
                cluster.create(BACKUPS, NS, backup(name, volume, bvName, bvUid));
                backups.add(name);
            }
            owned.put(bvName, backups);
        }
        cluster.create(BACKUPS, NS, backup("backup-failed-1", "vol-1", null, null));
        cluster.create(BACKUPS, NS, backup("backup-failed-9", "vol-9", null, null));
    }

    static JsonObject backup(String name, String volume, String ownerName, String ownerUid) {
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        meta.addProperty("namespace", NS);
        JsonObject labels = new JsonObject();
        labels.addProperty(Longhorn.BACKUP_VOLUME_LABEL, volume);
        labels.addProperty(Longhorn.BACKUP_TARGET_LABEL, "default");
        meta.add("labels", labels);
        JsonArray finalizers = new JsonArray();
        finalizers.add(Longhorn.FINALIZER);
        meta.add("finalizers", finalizers);
        if (ownerName != null) {
            JsonObject owner = new JsonObject();
            owner.addProperty("apiVersion", "longhorn.io/v1beta2");
            owner.addProperty("kind", "BackupVolume");
            owner.addProperty("name", ownerName);
            owner.addProperty("uid", ownerUid);
            JsonArray owners = new JsonArray();
            owners.add(owner);
            meta.add("ownerReferences", owners);
        }
        JsonObject o = new JsonObject();
        o.addProperty("apiVersion", "longhorn.io/v1beta2");
        o.addProperty("kind", "Backup");
        o.add("metadata", meta);
        return o;
    }

    static boolean isDelete(RecordedRequest r, String plural) {
        return r.getMethod().equals("DELETE") && r.getPath().split("\\?")[0].contains("/" + plural + "/");
    }

    static String nameOf(RecordedRequest r) {
        String path = r.getPath().split("\\?")[0];
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Longhorn's controller where cleanup depends on it: a deleted backup keeps its finalizer until the remote
     * delete is done (50 ms); a deleted backup volume has its backups deleted asynchronously (100 ms), and its
     * own finalizer released once they are gone.
     */
    void simulateLonghornController() {
        cluster.intercept((r, c) -> {
            if (isDelete(r, "backups")) {
                String name = nameOf(r);
                controller.schedule(() -> c.removeFinalizers(BACKUPS, NS, name), 50, TimeUnit.MILLISECONDS);
            } else if (isDelete(r, "backupvolumes")) {
                String bv = nameOf(r);
                controller.schedule(
                        () -> {
                            for (String b : owned.getOrDefault(bv, List.of())) {
                                c.deleteNow(BACKUPS, NS, b);
                                c.removeFinalizers(BACKUPS, NS, b);
                            }
                            c.removeFinalizers(VOLUMES, NS, bv);
                        },
                        100,
                        TimeUnit.MILLISECONDS);
            }
            return null;
        });
    }

    @Test
    @DisplayName(
            "the full Longhorn order: backup volumes (their backups go with them), then the failed backups left over")
    void fullLonghornOrder() {
        seedBackupstore();
        simulateLonghornController();
        ApiClient client = cluster.client();

        CleanupReport volumes = BackupstoreCleanup.builder(client)
                .timeout(Duration.ofSeconds(10))
                .build()
                .run();
        assertEquals(3, volumes.count(Outcome.Status.DELETED), volumes.table());
        assertEquals(0, cluster.countObjects(VOLUMES, NS));
        assertEquals(2, cluster.countObjects(BACKUPS, NS), "only the failed, un-owned backups remain");

        CleanupReport backups = BackupCleanup.builder(client)
                .timeout(Duration.ofSeconds(10))
                .build()
                .run();
        assertEquals(
                Set.of("backup-failed-1", "backup-failed-9"),
                Set.copyOf(backups.outcomes().stream().map(Outcome::name).toList()));
        assertEquals(2, backups.count(Outcome.Status.DELETED), backups.table());
        assertTrue(backups.isClean());
        assertEquals(0, cluster.countObjects(BACKUPS, NS), "the backupstore is empty");
    }

    @Test
    @DisplayName(
            "the race: Longhorn deletes listed backups before our delete arrives -> ALREADY_GONE, clean, nothing raised")
    void backupsRemovedByLonghornBetweenListAndDeleteAreAlreadyGone() {
        seedBackupstore();
        // Longhorn 1.8+: the volume goes at once; garbage collection removes its backups asynchronously, and wins
        // the race against BackupCleanup for every owned backup.
        Set<String> ownedBackups = ConcurrentHashMap.newKeySet();
        owned.values().forEach(ownedBackups::addAll);
        cluster.intercept((r, c) -> {
            if (isDelete(r, "backupvolumes")) {
                controller.schedule(() -> c.removeFinalizers(VOLUMES, NS, nameOf(r)), 10, TimeUnit.MILLISECONDS);
            } else if (isDelete(r, "backups") && ownedBackups.contains(nameOf(r))) {
                c.deleteNow(BACKUPS, NS, nameOf(r));
                c.removeFinalizers(BACKUPS, NS, nameOf(r));
                return new MockResponse().setResponseCode(404); // the mock's empty 404
            } else if (isDelete(r, "backups")) {
                controller.schedule(() -> c.removeFinalizers(BACKUPS, NS, nameOf(r)), 20, TimeUnit.MILLISECONDS);
            }
            return null;
        });
        ApiClient client = cluster.client();
        BackupstoreCleanup.builder(client).build().run();
        CleanupReport backups = BackupCleanup.builder(client)
                .timeout(Duration.ofSeconds(10))
                .build()
                .run();
        assertEquals(12, backups.count(Outcome.Status.ALREADY_GONE), backups.table());
        assertEquals(2, backups.count(Outcome.Status.DELETED), backups.table());
        assertTrue(backups.isClean());
        assertEquals(0, cluster.countObjects(BACKUPS, NS));
    }

    @Test
    @DisplayName("a backup whose remote delete never finishes is STUCK, naming the longhorn.io finalizer")
    void backupStuckOnFinalizer() {
        cluster.create(BACKUPS, NS, backup("backup-stuck", "vol-1", null, null));
        CleanupFailedException e = assertThrows(
                CleanupFailedException.class,
                () -> BackupCleanup.builder(cluster.client())
                        .timeout(Duration.ofSeconds(2))
                        .build()
                        .run());
        Outcome stuck = e.report().outcomes().get(0);
        assertEquals(Outcome.Status.STUCK, stuck.status());
        assertEquals(List.of(Longhorn.FINALIZER), stuck.finalizers());
    }

    @Test
    @DisplayName("defaults: namespace longhorn-system, version v1beta2; apiVersion and namespace are configurable")
    void defaultsAndOptions() {
        BackupCleanup defaults = BackupCleanup.builder(cluster.client()).build();
        assertEquals("backups.longhorn.io/v1beta2 in namespace longhorn-system", defaults.description());
        BackupstoreCleanup custom = BackupstoreCleanup.builder(cluster.client())
                .apiVersion("v1beta1")
                .namespace("lh")
                .build();
        assertEquals("backupvolumes.longhorn.io/v1beta1 in namespace lh", custom.description());
        custom.execute();
        assertTrue(
                cluster.requests().stream()
                        .anyMatch(r -> r.startsWith("GET /apis/longhorn.io/v1beta1/namespaces/lh/backupvolumes")),
                cluster.requests().toString());
    }

    @Test
    @DisplayName(
            "deleteCustomResourceOnly labels each backup longhorn.io/delete-custom-resource-only=true before deleting it")
    void deleteCustomResourceOnlyLabelsFirst() {
        cluster.create(BACKUPS, NS, backup("backup-a", "vol-1", null, null));
        simulateLonghornController();
        Map<String, String> labelsAtDelete = new ConcurrentHashMap<>();
        cluster.intercept((r, c) -> {
            if (isDelete(r, "backups")) {
                JsonObject labels = c.get(BACKUPS, NS, nameOf(r))
                        .getAsJsonObject("metadata")
                        .getAsJsonObject("labels");
                labelsAtDelete.put(nameOf(r), labels.toString());
            }
            return null;
        });
        CleanupReport report = BackupCleanup.builder(cluster.client())
                .deleteCustomResourceOnly(true)
                .build()
                .run();
        assertEquals(1, report.count(Outcome.Status.DELETED), report.table());
        assertTrue(
                labelsAtDelete.get("backup-a").contains("\"longhorn.io/delete-custom-resource-only\":\"true\""),
                labelsAtDelete.toString());
        BackupCleanup.builder(cluster.client())
                .deleteCustomResourceOnly(true)
                .deleteCustomResourceOnly(false)
                .build()
                .run();
        assertEquals(1, cluster.count("PATCH"), "turning the option off again sends no patch");
    }

    @Test
    @DisplayName("the public API from the issue compiles and runs as written")
    void publicApiAsDocumented() {
        ApiClient client = cluster.client();
        CleanupReport volumes = BackupstoreCleanup.builder(client).build().run();
        CleanupReport backups = BackupCleanup.builder(client)
                .namespace("longhorn-system")
                .apiVersion("v1beta2")
                .labelSelector("backup-volume=vol-1")
                .timeout(Duration.ofSeconds(30))
                .parallelism(8)
                .dryRun(false)
                .build()
                .execute();
        List<Outcome> all = backups.outcomes();
        for (Outcome o : all) {
            o.namespace();
            o.name();
            o.uid();
            o.status();
            o.detail();
            o.attempts();
        }
        long gone = backups.count(Outcome.Status.ALREADY_GONE);
        boolean clean = backups.isClean();
        String line = backups.summary();
        try {
            BackupCleanup.builder(client).build().run();
        } catch (CleanupFailedException e) {
            e.report();
        }
        assertTrue(volumes.isClean() && clean && gone == 0 && line.contains("clean"));
    }
}
