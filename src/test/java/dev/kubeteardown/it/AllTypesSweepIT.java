package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.StaleRunSweep;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stale-run sweep over every served type on a real server, whose garbage collector removes owned objects. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class AllTypesSweepIT {

    private static final Duration GC_TIMEOUT = Duration.ofSeconds(45);

    private final RealApiServer server;
    private ItNamespace ns;
    private CoreV1Api core;

    AllTypesSweepIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        assumeTrue(
                server.hasGarbageCollector(),
                "no kube-controller-manager in the binaries directory: no garbage collector");
        ns = ItNamespace.create(server, "alltypes");
        core = new CoreV1Api(server.adminClient());
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    private V1ConfigMap configMap(String name, Map<String, String> labels, V1ConfigMap owner) throws ApiException {
        V1ObjectMeta meta = new V1ObjectMeta().name(name).labels(labels);
        if (owner != null) {
            meta.addOwnerReferencesItem(new V1OwnerReference()
                    .apiVersion("v1")
                    .kind("ConfigMap")
                    .name(owner.getMetadata().getName())
                    .uid(owner.getMetadata().getUid()));
        }
        return core.createNamespacedConfigMap(ns.name(), new V1ConfigMap().metadata(meta))
                .execute();
    }

    private Set<String> configMaps() throws ApiException {
        return core.listNamespacedConfigMap(ns.name()).execute().getItems().stream()
                .map(c -> c.getMetadata().getName())
                .filter(n -> !n.equals("kube-root-ca.crt"))
                .collect(Collectors.toSet());
    }

    @Test
    @DisplayName("every type: a stale run's configmaps, backups and namespace go, the owned configmap by the garbage"
            + " collector without a DELETE from the sweep; unlabelled objects stay")
    void sweepsEveryTypeAndLeavesOwnedObjectsToTheCollector() throws Exception {
        // a run id of its own, swept as finished: other tests' objects on this server are never stale here
        String runId = "run-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> stale =
                RunLabels.of(runId, Instant.now().minus(Duration.ofHours(3))).labels();
        V1ConfigMap parent = configMap("cm-parent", stale, null);
        configMap("cm-child", stale, parent);
        configMap("cm-unlabelled", Map.of(), null);
        ns.create(backup("b-stale").labels(stale));
        ns.create(backup("b-unlabelled"));
        String extra = ns.name() + "-run";
        core.createNamespace(new V1Namespace()
                        .metadata(new V1ObjectMeta().name(extra).labels(stale)))
                .execute();

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        CleanupReport report = StaleRunSweep.allTypes(client)
                .finishedRuns(Set.of(runId))
                .timeout(Duration.ofSeconds(90))
                .build()
                .execute();

        assertTrue(report.isClean(), report.table());
        assertEquals(
                Set.of("cm-parent", "b-stale", extra),
                report.outcomes(Outcome.Status.DELETED).stream()
                        .map(Outcome::name)
                        .collect(Collectors.toSet()),
                report.table());
        List<Outcome> skipped = report.outcomes(Outcome.Status.SKIPPED);
        assertEquals(1, skipped.size(), report.table());
        assertEquals("cm-child", skipped.get(0).name());
        assertEquals(
                "left to the garbage collector: owned by ConfigMap/cm-parent, which this sweep deletes",
                skipped.get(0).detail());
        assertEquals(
                "namespaces/v1", report.steps().get(report.steps().size() - 1).resource(), "namespaces go last");
        assertEquals(Map.of("cm-parent", 1L), log.deletesPerName("configmaps"), "no DELETE for the owned configmap");
        assertEquals(Map.of("b-stale", 1L), log.deletesPerName(BACKUPS));

        RealApiServer.await(
                "the garbage collector removes cm-child",
                GC_TIMEOUT,
                () -> configMaps().equals(Set.of("cm-unlabelled")) ? Optional.of(true) : Optional.empty());
        assertEquals(Set.of("b-unlabelled"), ns.names(BACKUPS));
    }
}
