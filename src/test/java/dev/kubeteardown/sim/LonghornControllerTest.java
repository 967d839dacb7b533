package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulated longhorn-manager: cascades, finalizers, stuck backups, remote data and the poll. */
class LonghornControllerTest {

    private static final String LH = LonghornResources.NAMESPACE;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @ParameterizedTest(name = "volumeDeletesBackups = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a deleted backup volume goes first, its backups after it (by the garbage collector, or already being"
            + " deleted by the volume controller)")
    void aDeletedBackupVolumeGoesFirstThenItsBackups(boolean volumeDeletesBackups) {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .cascadeDelay(Duration.ZERO)
                .volumeDeletesBackups(volumeDeletesBackups)
                .seed(BackupstoreSpec.of(2, 3).failedBackups(4))
                .start()) {
            DynamicKubernetesApi backups = api(sim, "backups");
            DynamicKubernetesApi volumes = api(sim, "backupvolumes");
            DynamicKubernetesObject volume =
                    volumes.list(LH).getObject().getItems().get(0);
            List<String> owned = owned(backups, volume);
            List<String> others = othersThan(backups, owned);
            assertEquals(3, owned.size());
            // the window between the volume going and its backups going is held open, not timed
            sim.pauseCollector();

            DynamicKubernetesObject deleting =
                    volumes.delete(LH, volume.getMetadata().getName()).getObject();
            assertNotNull(deleting.getMetadata().getDeletionTimestamp(), "the finalizer keeps it");
            Await.until(
                    "the backup volume is gone",
                    WAIT,
                    () -> volumes.get(LH, volume.getMetadata().getName()).getHttpStatusCode() == 404);
            for (String name : owned) {
                DynamicKubernetesObject backup = backups.get(LH, name).getObject();
                assertNotNull(backup, name + " outlives its volume (the race a backup cleanup meets)");
                if (volumeDeletesBackups) {
                    assertNotNull(
                            backup.getMetadata().getDeletionTimestamp(),
                            name + " was deleted by the volume controller");
                } else {
                    assertNull(backup.getMetadata().getDeletionTimestamp(), name + " waits for the garbage collector");
                }
                assertEquals(List.of("longhorn.io"), backup.getMetadata().getFinalizers());
            }

            sim.resumeCollector();
            Await.until(
                    "its backups are gone", WAIT, () -> owned(backups, owned).isEmpty());
            assertEquals(others, othersThan(backups, owned), "other volumes' and failed backups stay");
            owned.forEach(name -> assertFalse(sim.remoteBackups().contains(name)));
            assertEquals(3, sim.remoteBackups().size(), "the other volume's (failed backups have no data)");
            assertFalse(sim.remoteBackupVolumes().contains(volume.getMetadata().getName()));
        }
    }

    @Test
    void customResourceOnlyOnTheVolumeAloneKeepsItsBackupsData() {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .cascadeDelay(Duration.ZERO)
                .gcPace(Duration.ZERO)
                .seed(BackupstoreSpec.of(1, 3))
                .start()) {
            SimHttp http = new SimHttp(sim);
            DynamicKubernetesApi backups = api(sim, "backups");
            String volume = sim.remoteBackupVolumes().first();
            List<String> owned = List.copyOf(sim.remoteBackups());
            assertEquals(
                    200,
                    http.patch(
                                    NS + "backupvolumes/" + volume,
                                    "{\"metadata\":{\"labels\":{\""
                                            + LonghornResources.LABEL_DELETE_CUSTOM_RESOURCE_ONLY + "\":\"true\"}}}",
                                    "application/merge-patch+json")
                            .code());
            assertEquals(200, http.delete(NS + "backupvolumes/" + volume, null).code());
            Await.until(
                    "the volume and its backups are gone",
                    WAIT,
                    () -> http.get(NS + "backupvolumes/" + volume).code() == 404
                            && owned(backups, owned).isEmpty());
            assertEquals(owned, List.copyOf(sim.remoteBackups()), "the backups' data stays in the backupstore");
            assertTrue(sim.remoteBackupVolumes().contains(volume), "and so does the volume's");
        }
    }

    @Test
    void aDeletedBackupLosesItsFinalizerAfterTheRemoteDelete() {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .remoteDeleteDelay(Duration.ofMillis(150))
                .seed(BackupstoreSpec.of(1, 2))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String name = sim.remoteBackups().first();
            SimHttp.Reply deleted = http.delete(NS + "backups/" + name, null);
            assertEquals(200, deleted.code());
            // the answer, not a later GET: the finalizer may be released before a GET on a stalled machine
            assertTrue(deleted.json().getAsJsonObject("metadata").has("deletionTimestamp"), deleted.body());
            assertEquals(
                    "longhorn.io",
                    deleted.json()
                            .getAsJsonObject("metadata")
                            .getAsJsonArray("finalizers")
                            .get(0)
                            .getAsString());
            Await.until(
                    "the backup is gone",
                    WAIT,
                    () -> http.get(NS + "backups/" + name).code() == 404);
            assertFalse(sim.remoteBackups().contains(name));
        }
    }

    @Test
    void aStuckBackupKeepsItsFinalizer() {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .cascadeDelay(Duration.ofMillis(20))
                .remoteDeleteDelay(Duration.ofMillis(20))
                .seed(BackupstoreSpec.of(1, 3).stuckBackups(1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            DynamicKubernetesApi backups = api(sim, "backups");
            String volume = api(sim, "backupvolumes")
                    .list(LH)
                    .getObject()
                    .getItems()
                    .get(0)
                    .getMetadata()
                    .getName();
            assertEquals(200, http.delete(NS + "backupvolumes/" + volume, null).code());
            Await.until(
                    "only the stuck backup is left",
                    WAIT,
                    () -> backups.list(LH).getObject().getItems().size() == 1);
            DynamicKubernetesObject stuck =
                    backups.list(LH).getObject().getItems().get(0);
            assertNotNull(stuck.getMetadata().getDeletionTimestamp());
            assertEquals(List.of("longhorn.io"), stuck.getMetadata().getFinalizers());
            Await.holdsFor(
                    "the stuck backup stays, though its volume is gone",
                    Duration.ofMillis(200),
                    () -> http.get(NS + "backups/" + stuck.getMetadata().getName())
                                            .code()
                                    == 200
                            && http.get(NS + "backupvolumes/" + volume).code() == 404);
        }
    }

    @Test
    void customResourceOnlyDeletesKeepTheDataAndThePollBringsThemBack() {
        BackupstoreSpec spec =
                BackupstoreSpec.of(1, 2).label(LonghornResources.LABEL_DELETE_CUSTOM_RESOURCE_ONLY, "true");
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .remoteDeleteDelay(Duration.ofMillis(20))
                .cascadeDelay(Duration.ofMillis(20))
                .backupstorePoll(Duration.ofMillis(100))
                .seed(spec)
                .start()) {
            SimHttp http = new SimHttp(sim);
            String name = sim.remoteBackups().first();
            String uid = uid(http, "backups/" + name);
            String volume = sim.remoteBackupVolumes().first();
            String volumeUid = uid(http, "backupvolumes/" + volume);
            http.delete(NS + "backupvolumes/" + volume, null);
            Await.until("the backup is back with a new UID", WAIT, () -> {
                SimHttp.Reply reply = http.get(NS + "backups/" + name);
                return reply.code() == 200
                        && !uid.equals(reply.json()
                                .getAsJsonObject("metadata")
                                .get("uid")
                                .getAsString());
            });
            Await.until("the backup volume is back with a new UID", WAIT, () -> {
                SimHttp.Reply reply = http.get(NS + "backupvolumes/" + volume);
                return reply.code() == 200
                        && !volumeUid.equals(reply.json()
                                .getAsJsonObject("metadata")
                                .get("uid")
                                .getAsString());
            });
            assertEquals(2, sim.remoteBackups().size(), "the data was kept");
            Await.until("the re-created backup is owned by the re-created volume", WAIT, () -> {
                SimHttp.Reply reply = http.get(NS + "backups/" + name);
                return reply.code() == 200
                        && uid(http, "backupvolumes/" + volume)
                                .equals(reply.json()
                                        .getAsJsonObject("metadata")
                                        .getAsJsonArray("ownerReferences")
                                        .get(0)
                                        .getAsJsonObject()
                                        .get("uid")
                                        .getAsString());
            });
            assertFalse(
                    http.get(NS + "backups/" + name)
                            .json()
                            .getAsJsonObject("metadata")
                            .getAsJsonObject("labels")
                            .has(LonghornResources.LABEL_DELETE_CUSTOM_RESOURCE_ONLY),
                    "Longhorn re-creates its own labels only");
        }
    }

    @Test
    void withoutThePollDeletedDataDoesNotComeBack() {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .remoteDeleteDelay(Duration.ofMillis(10))
                .backupstorePoll(Duration.ofMillis(50))
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String name = sim.remoteBackups().first();
            http.delete(NS + "backups/" + name, null);
            Await.until(
                    "the backup and its data are gone",
                    WAIT,
                    () -> sim.remoteBackups().isEmpty()
                            && http.get(NS + "backups/" + name).code() == 404);
            Await.holdsFor(
                    "it stays gone",
                    Duration.ofMillis(200),
                    () -> http.get(NS + "backups/" + name).code() == 404);
        }
    }

    @Test
    void anUnreachableBackupTargetHoldsEveryFinalizer() {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .remoteDeleteDelay(Duration.ofMillis(20))
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String name = sim.remoteBackups().first();
            sim.backupTargetReachable(false);
            http.delete(NS + "backups/" + name, null);
            Await.holdsFor(
                    "the backup stays",
                    Duration.ofMillis(150),
                    () -> http.get(NS + "backups/" + name).code() == 200);
            sim.backupTargetReachable(true);
            Await.until(
                    "the backup is gone",
                    WAIT,
                    () -> http.get(NS + "backups/" + name).code() == 404);
        }
    }

    private static String uid(SimHttp http, String path) {
        SimHttp.Reply reply = http.get(NS + path);
        assertEquals(200, reply.code(), path);
        String uid = reply.json().getAsJsonObject("metadata").get("uid").getAsString();
        assertNotEquals("", uid);
        return uid;
    }

    private static List<String> names(DynamicKubernetesApi api, String selector) {
        return api.list(LH, new ListOptions().labelSelector(selector)).getObject().getItems().stream()
                .map(o -> o.getMetadata().getName())
                .toList();
    }

    /** The backups with an owner reference to {@code volume}. */
    private static List<String> owned(DynamicKubernetesApi backups, DynamicKubernetesObject volume) {
        String uid = volume.getMetadata().getUid();
        return backups.list(LH).getObject().getItems().stream()
                .filter(b -> b.getMetadata().getOwnerReferences() != null
                        && b.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid())))
                .map(b -> b.getMetadata().getName())
                .toList();
    }

    /** Those of {@code names} still present. */
    private static List<String> owned(DynamicKubernetesApi backups, List<String> names) {
        return backups.list(LH).getObject().getItems().stream()
                .map(b -> b.getMetadata().getName())
                .filter(names::contains)
                .toList();
    }

    private static List<String> othersThan(DynamicKubernetesApi backups, List<String> names) {
        return backups.list(LH).getObject().getItems().stream()
                .map(b -> b.getMetadata().getName())
                .filter(n -> !names.contains(n))
                .toList();
    }

    private static DynamicKubernetesApi api(LonghornSimulator sim, String plural) {
        return new DynamicKubernetesApi("longhorn.io", "v1beta2", plural, sim.apiClient());
    }
}
