package dev.kubeteardown.longhorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.sim.LonghornResources;
import dev.kubeteardown.sim.LonghornSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Longhorn plans end to end on the simulator, which holds every Longhorn type with its finalizer. */
class LonghornPlansTest {

    static final String NS = Longhorn.DEFAULT_NAMESPACE;
    /** Every type a full plan deletes, and the engines and replicas that go with the volumes. */
    static final List<String> PLURALS = List.of(
            "volumes",
            "engines",
            "replicas",
            "snapshots",
            "recurringjobs",
            "backingimages",
            "supportbundles",
            "systemrestores",
            "orphans",
            "backupvolumes",
            "systembackups",
            "backups",
            "backupbackingimages");

    static String kind(String plural) {
        return LonghornResources.byPlural(plural).kind();
    }

    static void create(KubernetesClient client, String plural, String name, Map<String, String> labels) {
        GenericKubernetesResource object = new GenericKubernetesResourceBuilder()
                .withApiVersion("longhorn.io/v1beta2")
                .withKind(kind(plural))
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(labels)
                .withFinalizers(plural.equals("recurringjobs") ? List.of() : List.of(Longhorn.FINALIZER))
                .endMetadata()
                .build();
        client.genericKubernetesResources("longhorn.io/v1beta2", kind(plural))
                .inNamespace(NS)
                .resource(object)
                .create();
    }

    static int count(KubernetesClient client, String plural) {
        return client.genericKubernetesResources("longhorn.io/v1beta2", kind(plural))
                .inNamespace(NS)
                .list()
                .getItems()
                .size();
    }

    @Test
    @DisplayName("the full plan deletes every Longhorn type in order, engines and replicas going with their volume")
    void fullPlanEndToEnd() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            KubernetesClient k = sim.fabricClient();
            for (String plural : PLURALS) {
                if (!plural.equals("engines") && !plural.equals("replicas")) {
                    create(k, plural, plural + "-1", Map.of());
                }
            }
            create(k, "engines", "volumes-1-e-0", Map.of("longhornvolume", "volumes-1"));
            create(k, "replicas", "volumes-1-r-0", Map.of("longhornvolume", "volumes-1"));

            CleanupReport report = LonghornPlans.full(sim.apiClient())
                    .timeout(Duration.ofSeconds(30))
                    .build()
                    .run();

            assertEquals(11, report.count(Outcome.Status.DELETED), report.table());
            assertEquals(
                    List.of(
                            "volumes",
                            "snapshots",
                            "recurringjobs",
                            "backingimages",
                            "supportbundles",
                            "systemrestores",
                            "orphans",
                            "backupvolumes",
                            "systembackups",
                            "backups",
                            "backupbackingimages"),
                    report.steps().stream()
                            .map(step ->
                                    step.resource().substring(0, step.resource().indexOf('.')))
                            .toList());
            for (String plural : PLURALS) {
                assertEquals(0, count(k, plural), plural + " are all gone");
            }
        }
    }

    @Test
    @DisplayName("the backups plan: a backup volume that does not go is a barrier, the backups are left alone")
    void backupsPlanStopsAtItsBarrier() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.backupTargetReachable(false); // no backup volume can have its remote data deleted
            KubernetesClient k = sim.fabricClient();
            create(k, "backupvolumes", "vol-1-abc", Map.of());
            create(k, "backups", "backup-1", Map.of());

            CleanupReport report = LonghornPlans.backups(sim.apiClient())
                    .timeout(Duration.ofSeconds(1))
                    .build()
                    .execute();

            assertEquals(1, report.count(Outcome.Status.STUCK), report.table());
            assertEquals(3, report.count(Outcome.Status.SKIPPED), report.table());
            assertTrue(report.steps().get(2).outcomes().get(0).detail().contains("barrier step 1"));
            assertEquals(1, count(k, "backups"), "the backup was not touched");
        }
    }

    @Test
    @DisplayName("options reach every step: a dry run sends no mutating request and lists what it would delete")
    void dryRunReachesEveryStep() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            KubernetesClient k = sim.fabricClient();
            create(k, "snapshots", "snap-1", Map.of("app", "mine"));
            create(k, "backups", "backup-1", Map.of("app", "mine"));
            create(k, "backups", "backup-2", Map.of("app", "other"));

            CleanupReport report = LonghornPlans.full(sim.apiClient())
                    .labelSelector("app=mine")
                    .dryRun(true)
                    .build()
                    .run();

            assertEquals(2, report.count(Outcome.Status.WOULD_DELETE), report.table());
            assertEquals(2, count(k, "backups"));
            assertEquals(1, count(k, "snapshots"));
        }
    }
}
