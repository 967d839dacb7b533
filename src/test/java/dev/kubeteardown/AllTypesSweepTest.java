package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.sim.ApiResource;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The stale-run sweep over every served type, on the simulator (Longhorn types, namespaces and configmaps). */
class AllTypesSweepTest {

    static final String NS = "longhorn-system";
    static final ApiResource CONFIGMAPS = new ApiResource("", "v1", "ConfigMap", "configmaps", true, List.of("cm"));
    static final RunLabels OLD = RunLabels.of("run-old", Instant.now().minus(Duration.ofHours(3)));
    static final RunLabels RECENT = RunLabels.of("run-recent", Instant.now().minus(Duration.ofMinutes(5)));

    LonghornSimulator sim;
    KubernetesClient k;

    @BeforeEach
    void start() {
        sim = LonghornSimulator.builder().serve(CONFIGMAPS).start();
        k = sim.fabricClient();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    String configMap(String name, Map<String, String> labels, OwnerReference... owners) {
        return k.configMaps()
                .inNamespace(NS)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .withOwnerReferences(owners)
                        .endMetadata()
                        .build())
                .create()
                .getMetadata()
                .getUid();
    }

    String longhorn(String kind, String name, Map<String, String> labels, OwnerReference... owners) {
        GenericKubernetesResource object = new GenericKubernetesResourceBuilder()
                .withApiVersion("longhorn.io/v1beta2")
                .withKind(kind)
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(labels)
                .withFinalizers("longhorn.io")
                .withOwnerReferences(owners)
                .endMetadata()
                .build();
        return k.genericKubernetesResources("longhorn.io/v1beta2", kind)
                .inNamespace(NS)
                .resource(object)
                .create()
                .getMetadata()
                .getUid();
    }

    boolean exists(String kind, String name) {
        return k.genericKubernetesResources("longhorn.io/v1beta2", kind)
                        .inNamespace(NS)
                        .withName(name)
                        .get()
                != null;
    }

    static OwnerReference owner(String apiVersion, String kind, String name, String uid) {
        return new OwnerReferenceBuilder()
                .withApiVersion(apiVersion)
                .withKind(kind)
                .withName(name)
                .withUid(uid)
                .build();
    }

    /** Objects of several types for a stale run, one of each owned by another, plus what must stay. */
    void seed() {
        String cmOld = configMap("cm-old", OLD.labels());
        configMap("cm-owned", OLD.labels(), owner("v1", "ConfigMap", "cm-old", cmOld));
        configMap("cm-unlabelled", Map.of());
        configMap("cm-recent", RECENT.labels());
        String bv = longhorn("BackupVolume", "bv-old", OLD.labels());
        longhorn("Backup", "b-owned", OLD.labels(), owner("longhorn.io/v1beta2", "BackupVolume", "bv-old", bv));
        longhorn("Backup", "b-root", OLD.labels());
        longhorn(
                "Backup",
                "b-current",
                RunLabels.of(RunLabels.current().id(), Instant.now().minus(Duration.ofDays(1)))
                        .labels());
        longhorn("Backup", "b-unlabelled", Map.of());
        k.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("ns-old")
                        .withLabels(OLD.labels())
                        .endMetadata()
                        .build())
                .create();
    }

    static Set<String> names(CleanupReport report, Outcome.Status status) {
        return report.outcomes(status).stream().map(Outcome::name).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("every type: a stale run's roots are deleted, owned objects left to the garbage collector, the rest"
            + " kept")
    void sweepsEveryTypeRootsOnly() {
        seed();
        AllTypesSweep sweep = StaleRunSweep.allTypes(sim.apiClient())
                .olderThan(Duration.ofHours(1))
                .timeout(Duration.ofSeconds(30))
                .build();
        assertEquals(
                Set.of("run-old", "run-recent", RunLabels.current().id()),
                sweep.runs().keySet());
        assertEquals(Set.of("run-old"), sweep.staleRuns());

        CleanupReport report = sweep.execute();

        assertTrue(report.isClean(), report.table());
        assertEquals(
                Set.of(
                        "configmaps/v1",
                        "backupvolumes.longhorn.io/v1beta2",
                        "backups.longhorn.io/v1beta2",
                        "namespaces/v1"),
                report.steps().stream().map(CleanupReport::resource).collect(Collectors.toSet()),
                "one step per type with stale objects, none for the others");
        assertEquals(
                "namespaces/v1", report.steps().get(report.steps().size() - 1).resource(), "namespaces last");
        assertEquals(
                Set.of("cm-old", "bv-old", "b-root", "ns-old"), names(report, Outcome.Status.DELETED), report.table());
        assertEquals(Set.of("cm-owned", "b-owned"), names(report, Outcome.Status.SKIPPED), report.table());
        Outcome owned = report.outcomes(Outcome.Status.SKIPPED).stream()
                .filter(o -> o.name().equals("cm-owned"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "left to the garbage collector: owned by ConfigMap/cm-old, which this sweep deletes", owned.detail());
        // no DELETE for the owned ones: one per root
        assertEquals(1, sim.requests().count(Verb.DELETE, "configmaps"));
        assertEquals(1, sim.requests().count(Verb.DELETE, "backups"));
        assertEquals(1, sim.requests().count(Verb.DELETE, "backupvolumes"));
        // the simulator's garbage collector removes the backup whose volume went
        MockCluster.await(
                "b-owned gone by garbage collection", Duration.ofSeconds(10), () -> !exists("Backup", "b-owned"));
        assertNotNull(k.configMaps().inNamespace(NS).withName("cm-owned").get(), "no GC for configmaps here");
        for (String kept : List.of("cm-unlabelled", "cm-recent")) {
            assertNotNull(k.configMaps().inNamespace(NS).withName(kept).get(), kept);
        }
        assertTrue(exists("Backup", "b-current"), "the current run is protected");
        assertTrue(exists("Backup", "b-unlabelled"));
        assertNotNull(k.namespaces().withName(NS).get(), "an unlabelled namespace is never touched");
    }

    @Test
    @DisplayName("the dry run sends no DELETE and reports each object under its type, owned ones as left to the GC")
    void dryRunListsByType() {
        seed();
        CleanupReport report = StaleRunSweep.allTypes(sim.apiClient())
                .olderThan(Duration.ofHours(1))
                .dryRun(true)
                .build()
                .execute();
        assertEquals(0, sim.requests().count(Verb.DELETE), "a dry run deletes nothing");
        Map<String, Set<String>> byType = report.steps().stream()
                .collect(Collectors.toMap(CleanupReport::resource, r -> names(r, Outcome.Status.WOULD_DELETE)));
        assertEquals(
                Map.of(
                        "configmaps/v1", Set.of("cm-old"),
                        "backupvolumes.longhorn.io/v1beta2", Set.of("bv-old"),
                        "backups.longhorn.io/v1beta2", Set.of("b-root"),
                        "namespaces/v1", Set.of("ns-old")),
                byType,
                report.table());
        assertTrue(
                report.outcomes(Outcome.Status.SKIPPED).stream()
                        .allMatch(o -> o.detail().startsWith("dry run: left to the garbage collector")),
                report.table());
        assertTrue(exists("Backup", "b-root"));
    }

    @Test
    @DisplayName("limited to a namespace: only namespaced types there, never a cluster-scoped object")
    void namespaceLimitedSweepLeavesClusterScope() {
        seed();
        CleanupReport report = StaleRunSweep.allTypes(sim.apiClient())
                .namespace(NS)
                .finishedRuns(Set.of("run-old"))
                .labelSelector("!nothing-here")
                .build()
                .execute();
        assertTrue(report.isClean(), report.table());
        assertFalse(names(report, Outcome.Status.DELETED).contains("ns-old"), report.table());
        assertNotNull(k.namespaces().withName("ns-old").get(), "cluster scope untouched");
        assertEquals(Set.of("cm-old", "bv-old", "b-root"), names(report, Outcome.Status.DELETED), report.table());
    }

    @Test
    @DisplayName("nothing stale: an empty report, nothing deleted")
    void nothingStale() {
        configMap("cm-recent", RECENT.labels());
        CleanupReport report = StaleRunSweep.allTypes(sim.apiClient())
                .olderThan(Duration.ofHours(1))
                .build()
                .execute();
        assertEquals(List.of(), report.steps());
        assertEquals(0, sim.requests().count(Verb.DELETE));
    }

    @Test
    @DisplayName("which types a sweep covers: deletable ones but events and extensions; CRDs and namespaces last")
    void sweptTypesAndOrder() {
        Set<String> all = Set.of("create", "delete", "get", "list", "watch");
        List<ServedType> served = List.of(
                served("", "namespaces", false, all),
                served("", "events", true, all),
                served("", "configmaps", true, all),
                served("", "componentstatuses", false, Set.of("get", "list")),
                served("apiextensions.k8s.io", "customresourcedefinitions", false, all),
                served("events.k8s.io", "events", true, all),
                served("extensions", "ingresses", true, all),
                served("networking.k8s.io", "ingresses", true, all),
                served("storage.k8s.io", "storageclasses", false, all),
                served("longhorn.io", "backups", true, all));
        assertEquals(
                List.of(
                        "configmaps",
                        "ingresses.networking.k8s.io",
                        "backups.longhorn.io",
                        "storageclasses.storage.k8s.io",
                        "customresourcedefinitions.apiextensions.k8s.io",
                        "namespaces"),
                AllTypesSweep.sweptTypes(served, true).stream()
                        .map(ResourceType::qualifiedName)
                        .toList());
        assertEquals(
                List.of("configmaps", "ingresses.networking.k8s.io", "backups.longhorn.io"),
                AllTypesSweep.sweptTypes(served, false).stream()
                        .map(ResourceType::qualifiedName)
                        .toList());
    }

    private static ServedType served(String group, String plural, boolean namespaced, Set<String> verbs) {
        return new ServedType(group, "v1", plural, plural, plural, namespaced, List.copyOf(verbs), List.of());
    }
}
