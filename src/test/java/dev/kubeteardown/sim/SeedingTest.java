package dev.kubeteardown.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Seeding produces Longhorn-shaped objects, deterministically. */
class SeedingTest {

    private static final String LH = LonghornResources.NAMESPACE;

    @Test
    void seedsLonghornShapedBackupVolumesAndBackups() {
        BackupstoreSpec spec = BackupstoreSpec.of(3, 4)
                .failedBackups(4)
                .stuckBackups(1)
                .systemBackups(2)
                .backupBackingImages(1)
                .seed(5)
                .label("kubeteardown.dev/run", "r1");
        try (LonghornSimulator sim = LonghornSimulator.builder().seed(spec).start()) {
            DynamicKubernetesApi backups = api(sim, "backups");
            DynamicKubernetesApi backupVolumes = api(sim, "backupvolumes");
            List<DynamicKubernetesObject> volumes =
                    backupVolumes.list(LH).getObject().getItems();
            List<DynamicKubernetesObject> all = backups.list(LH).getObject().getItems();
            assertEquals(3, volumes.size());
            assertEquals(16, all.size());
            assertEquals(
                    1, api(sim, "backuptargets").list(LH).getObject().getItems().size());
            assertEquals(
                    2, api(sim, "systembackups").list(LH).getObject().getItems().size());
            assertEquals(
                    1,
                    api(sim, "backupbackingimages")
                            .list(LH)
                            .getObject()
                            .getItems()
                            .size());
            assertEquals(0, sim.requests().total() - sim.requests().count(Verb.LIST), "only our lists were counted");

            Map<String, DynamicKubernetesObject> volumeByName = new HashMap<>();
            for (DynamicKubernetesObject volume : volumes) {
                String volumeName = spec(volume).get("volumeName").getAsString();
                assertTrue(
                        volume.getMetadata().getName().matches(volumeName + "-[a-z0-9]{8}"),
                        volume.getMetadata().getName());
                assertEquals("default", spec(volume).get("backupTargetName").getAsString());
                assertEquals(List.of("longhorn.io"), volume.getMetadata().getFinalizers());
                assertEquals("r1", volume.getMetadata().getLabels().get("kubeteardown.dev/run"));
                volumeByName.put(volume.getMetadata().getName(), volume);
            }

            int completed = 0;
            Set<String> failedVolumes = new HashSet<>();
            for (DynamicKubernetesObject backup : all) {
                Map<String, String> labels = backup.getMetadata().getLabels();
                JsonObject status = backup.getRaw().getAsJsonObject("status");
                assertTrue(backup.getMetadata().getName().matches("backup-[0-9a-f]{16}"));
                assertEquals(List.of("longhorn.io"), backup.getMetadata().getFinalizers());
                assertEquals("default", labels.get("backup-target"));
                assertEquals("r1", labels.get("kubeteardown.dev/run"));
                if (status.get("state").getAsString().equals("Completed")) {
                    completed++;
                    V1OwnerReference owner =
                            backup.getMetadata().getOwnerReferences().get(0);
                    DynamicKubernetesObject volume = volumeByName.get(owner.getName());
                    assertEquals("longhorn.io/v1beta2", owner.getApiVersion());
                    assertEquals("BackupVolume", owner.getKind());
                    assertEquals(volume.getMetadata().getUid(), owner.getUid());
                    assertTrue(owner.getController());
                    assertEquals(spec(volume).get("volumeName").getAsString(), labels.get("backup-volume"));
                    assertEquals(
                            labels.get("backup-volume"),
                            status.get("volumeName").getAsString());
                } else {
                    assertEquals("Error", status.get("state").getAsString());
                    assertFalse(backup.getRaw().getAsJsonObject("metadata").has("ownerReferences"));
                    assertEquals(
                            status.get("volumeName").getAsString(),
                            labels.get("backup-volume"),
                            "Longhorn 1.8+ labels failed backups too");
                    failedVolumes.add(status.get("volumeName").getAsString());
                }
            }
            assertEquals(12, completed);
            assertEquals(sim.seeded().backups().size(), completed);
            assertTrue(sim.seeded().backups().containsAll(sim.seeded().stuckBackups()));
            Set<String> seededVolumes = volumeByName.values().stream()
                    .map(v -> spec(v).get("volumeName").getAsString())
                    .collect(Collectors.toSet());
            assertTrue(failedVolumes.stream().anyMatch(seededVolumes::contains), "some failed backups have a volume");
            assertTrue(failedVolumes.stream().anyMatch(v -> !seededVolumes.contains(v)), "some have none");
            assertEquals(12, sim.remoteBackups().size(), "failed backups have no data in the backupstore");
            assertEquals(3, sim.remoteBackupVolumes().size());
        }
    }

    @Test
    void theSameSeedSeedsTheSameNamesAndUids() {
        BackupstoreSpec spec =
                BackupstoreSpec.of(5, 3).failedBackups(3).stuckBackups(2).seed(42);
        List<String> first = seedAndDescribe(spec);
        assertEquals(first, seedAndDescribe(spec));
        assertNotEquals(first, seedAndDescribe(spec.seed(43)));
    }

    @Test
    void seedsTenThousandBackups() {
        // the benchmark's scale; how long it takes is the benchmark's business, not a unit test's
        ObjectStore store = new ObjectStore(LonghornResources.ALL, 1_000, Clock.systemUTC());
        SeededBackupstore seeded = new BackupstoreSeeder(store, new RemoteBackupstore(), new HashSet<>())
                .seed(BackupstoreSpec.of(200, 50).failedBackups(20));
        assertEquals(10_020, seeded.backupCount());
        assertEquals(
                10_020, store.snapshot(LonghornResources.BACKUPS, LH).items().size());
        assertEquals(
                200,
                store.snapshot(LonghornResources.BACKUP_VOLUMES, LH).items().size());
    }

    @Test
    void oneClusterCanBeSeededTwiceWithDistinctVolumePrefixes() {
        try (LonghornSimulator sim =
                LonghornSimulator.builder().seed(BackupstoreSpec.of(2, 2)).start()) {
            SeededBackupstore more = sim.seed(BackupstoreSpec.of(2, 3).seed(2).volumePrefix("other"));
            assertEquals(List.of("other-0", "other-1"), more.volumes());
            assertEquals(10, sim.remoteBackups().size());
            assertEquals(
                    1, api(sim, "backuptargets").list(LH).getObject().getItems().size(), "one default target");
        }
    }

    @Test
    void specsValidateTheirFields() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> BackupstoreSpec.of(-1, 2));
        assertEquals("volumes must be >= 0, was -1", error.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> BackupstoreSpec.of(1, 2).stuckBackups(3));
    }

    @Test
    void theSameIdSeedGivesTheSameUidsAndGeneratedNames() {
        assertEquals(createThroughTheApi(7), createThroughTheApi(7));
        assertNotEquals(createThroughTheApi(7), createThroughTheApi(8));
    }

    /** Names and UIDs of three objects created through the API with generateName, one after the other. */
    private static List<String> createThroughTheApi(long idSeed) {
        try (LonghornSimulator sim = LonghornSimulator.builder().idSeed(idSeed).start()) {
            SimHttp http = new SimHttp(sim);
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SimHttp.Reply reply = http.post(
                        SimHttp.NS + "snapshots",
                        "{\"apiVersion\":\"longhorn.io/v1beta2\","
                                + "\"kind\":\"Snapshot\",\"metadata\":{\"generateName\":\"snap-\"}}");
                assertEquals(201, reply.code(), reply.body());
                JsonObject metadata = reply.json().getAsJsonObject("metadata");
                assertTrue(metadata.get("name").getAsString().matches("snap-[a-z0-9]{5}"), metadata.toString());
                created.add(metadata.get("name").getAsString() + "="
                        + metadata.get("uid").getAsString());
            }
            return created;
        }
    }

    private static List<String> seedAndDescribe(BackupstoreSpec spec) {
        ObjectStore store = new ObjectStore(LonghornResources.ALL, 1_000, Clock.systemUTC());
        SeededBackupstore seeded = new BackupstoreSeeder(store, new RemoteBackupstore(), new HashSet<>()).seed(spec);
        List<String> description = new ArrayList<>();
        description.add(seeded.toString());
        for (ApiResource resource : LonghornResources.ALL) {
            store.snapshot(resource, LH).items().forEach(o -> description.add(o.name() + "=" + o.uid()));
        }
        return description;
    }

    private static DynamicKubernetesApi api(LonghornSimulator sim, String plural) {
        return new DynamicKubernetesApi("longhorn.io", "v1beta2", plural, sim.apiClient());
    }

    private static JsonObject spec(DynamicKubernetesObject object) {
        return object.getRaw().getAsJsonObject("spec");
    }
}
