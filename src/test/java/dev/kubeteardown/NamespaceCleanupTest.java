package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.sim.LonghornSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Namespaces deleted and waited for on the simulator; a stuck one says what holds it. */
class NamespaceCleanupTest {

    static void namespace(KubernetesClient k, String name, List<String> finalizers) {
        k.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(Map.of("test", "ns"))
                        .withFinalizers(finalizers)
                        .endMetadata()
                        .build())
                .create();
    }

    /** What the namespace controller writes on a namespace whose content is still being deleted. */
    static void contentRemaining(KubernetesClient k, String name) {
        k.namespaces()
                .withName(name)
                .editStatus(ns -> new NamespaceBuilder(ns)
                        .withNewStatus()
                        .withPhase("Terminating")
                        .withConditions(new NamespaceConditionBuilder()
                                .withType("NamespaceContentRemaining")
                                .withStatus("True")
                                .withReason("SomeResourcesRemain")
                                .withMessage(
                                        "Some resources are remaining: backups.longhorn.io has 1 resource instances")
                                .build())
                        .endStatus()
                        .build());
    }

    @Test
    @DisplayName("namespaces that go are DELETED, one outcome each; a named one that does not exist is ALREADY_GONE")
    void namespacesThatGo() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            KubernetesClient k = sim.fabricClient();
            namespace(k, "test-a", List.of());
            namespace(k, "test-b", List.of());
            namespace(k, "other", List.of());

            CleanupReport report = NamespaceCleanup.builder(sim.apiClient())
                    .names("test-a", "test-b", "test-missing")
                    .build()
                    .run();

            assertEquals(2, report.count(Outcome.Status.DELETED), report.table());
            Outcome missing = report.outcomes(Outcome.Status.ALREADY_GONE).get(0);
            assertEquals("test-missing", missing.name());
            assertEquals("namespace \"test-missing\" does not exist: nothing to delete", missing.detail());
            assertTrue(k.namespaces().withName("other").get() != null, "out of scope: kept");
        }
    }

    @Test
    @DisplayName("a namespace still Terminating at the deadline is STUCK, naming its conditions and what is inside")
    void stuckNamespaceSaysWhy() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.backupTargetReachable(false); // the backup below keeps its finalizer
            KubernetesClient k = sim.fabricClient();
            namespace(k, "test-stuck", List.of("example.com/hold"));
            contentRemaining(k, "test-stuck");
            k.genericKubernetesResources("longhorn.io/v1beta2", "Backup")
                    .inNamespace("test-stuck")
                    .resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion("longhorn.io/v1beta2")
                            .withKind("Backup")
                            .withNewMetadata()
                            .withName("backup-held")
                            .withNamespace("test-stuck")
                            .withFinalizers("longhorn.io")
                            .endMetadata()
                            .build())
                    .create();

            CleanupReport report = NamespaceCleanup.builder(sim.apiClient())
                    .labelSelector("test=ns")
                    .timeout(Duration.ofSeconds(3))
                    .build()
                    .execute();
            assertFalse(report.isClean());
            Outcome stuck = report.outcomes(Outcome.Status.STUCK).get(0);
            assertEquals("test-stuck", stuck.name());
            assertTrue(
                    stuck.detail()
                            .contains("why: NamespaceContentRemaining: Some resources are remaining:"
                                    + " backups.longhorn.io has 1 resource instances"),
                    stuck.detail());
            assertTrue(
                    stuck.detail().contains("still inside: backups.longhorn.io backup-held (finalizers [longhorn.io])"),
                    stuck.detail());
        }
    }

    @Test
    @DisplayName("a cleanup of every namespace cannot be built, and a bad name is named")
    void scopeIsExplicit() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            assertEquals(
                    "a namespace cleanup needs names(...) or a non-empty labelSelector(...): it never deletes every"
                            + " namespace",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> NamespaceCleanup.builder(sim.apiClient())
                                            .build())
                            .getMessage());
            assertEquals(
                    "namespace name must be a lower-case DNS label, was \"Bad_Name\"",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> NamespaceCleanup.builder(sim.apiClient())
                                            .names("Bad_Name"))
                            .getMessage());
        }
    }
}
