package dev.kubeteardown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1StorageClass;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A cluster-scoped built-in type: no namespace in any path, and the label selector is the whole scope. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class ClusterScopedIT {

    private static final ResourceType STORAGE_CLASSES =
            ResourceType.clusterScoped("storage.k8s.io", "v1", "storageclasses");

    private final RealApiServer server;
    private final String run = "cs-" + UUID.randomUUID().toString().substring(0, 8);

    ClusterScopedIT(RealApiServer server) {
        this.server = server;
    }

    @AfterEach
    void removeLeftovers() throws Exception {
        new StorageV1Api(server.adminClient())
                .deleteCollectionStorageClass()
                .labelSelector("it-run=" + run)
                .execute();
    }

    @Test
    @DisplayName("storageclasses: only the labelled ones are deleted, through cluster-scoped paths, and confirmed gone")
    void clusterScopedTypeIsCleanedBySelector() throws Exception {
        ApiClient client = server.adminClient();
        StorageV1Api storage = new StorageV1Api(client);
        for (String name : new String[] {run + "-a", run + "-b"}) {
            storage.createStorageClass(storageClass(name, Map.of("it-run", run, "e2e", "true")))
                    .execute();
        }
        storage.createStorageClass(storageClass(run + "-kept", Map.of("it-run", run)))
                .execute();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = Cleanup.builder(client, STORAGE_CLASSES)
                .labelSelector("it-run=" + run + ",e2e=true")
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(
                Set.of(run + "-a", run + "-b"), DeleteRaceIT.names(report, Outcome.Status.DELETED), report.table());
        assertTrue(
                report.outcomes().stream()
                        .allMatch(o -> o.namespace() == null || o.namespace().isEmpty()),
                "cluster-scoped objects have no namespace: " + report.table());
        assertEquals(Set.of(run + "-kept"), names(storage), "outside the selector");
        assertTrue(
                log.all().stream().noneMatch(s -> s.path().contains("/namespaces/")),
                "no namespaced path: " + log.all());
        assertEquals(2, log.count(RequestLog.delete("storageclasses")), "one DELETE per object in scope");
    }

    private Set<String> names(StorageV1Api storage) throws Exception {
        return storage.listStorageClass().labelSelector("it-run=" + run).execute().getItems().stream()
                .map(sc -> sc.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static V1StorageClass storageClass(String name, Map<String, String> labels) {
        return new V1StorageClass()
                .apiVersion("storage.k8s.io/v1")
                .kind("StorageClass")
                .metadata(new V1ObjectMeta().name(name).labels(labels))
                .provisioner("kube-teardown.dev/none");
    }
}
