package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Starting, using from many threads, and closing without leftovers. */
class SimulatorLifecycleTest {

    private static final String LH = LonghornResources.NAMESPACE;
    /**
     * Threads of JVM-wide pools of the JDK, OkHttp/Okio, Netty and fabric8 (each idles out on its own, e.g.
     * fabric8's shared scheduler after 10 s), not of one simulator.
     */
    private static final List<String> SHARED_POOLS = List.of(
            "OkHttp",
            "Okio Watchdog",
            "globalEventExecutor",
            "CachedSingleThreadScheduler",
            "ForkJoinPool",
            "process reaper",
            "Common-Cleaner",
            "Cleaner-",
            "surefire");

    @Test
    void closeStopsEveryThreadTheSimulatorStarted() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        LonghornSimulator sim = LonghornSimulator.builder()
                .backupstorePoll(Duration.ofMillis(20))
                .seed(BackupstoreSpec.of(1, 2))
                .start();
        SimHttp http = new SimHttp(sim);
        http.delete(NS + "backups/" + sim.remoteBackups().first(), null);
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup("longhorn.io")
                .withVersion("v1beta2")
                .withPlural("backups")
                .withKind("Backup")
                .withNamespaced(true)
                .build();
        List<GenericKubernetesResource> seen = sim.fabricClient()
                .genericKubernetesResources(context)
                .inNamespace(LH)
                .list()
                .getItems();
        assertTrue(seen.size() >= 1, "the fabric8 client works too");
        sim.close();
        sim.close();
        Await.until(
                () -> "no simulator thread is left: " + leftovers(before),
                Duration.ofSeconds(10),
                () -> leftovers(before).isEmpty());
        assertThrows(IllegalStateException.class, sim::apiClient);
    }

    @Test
    void manyClientsCanDeleteThousandsOfBackupsInParallel() throws Exception {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .cascadeDelay(Duration.ZERO)
                .remoteDeleteDelay(Duration.ofMillis(5))
                .seed(BackupstoreSpec.of(20, 50))
                .start()) {
            DynamicKubernetesApi backups =
                    new DynamicKubernetesApi("longhorn.io", "v1beta2", "backups", sim.apiClient());
            List<DynamicKubernetesObject> all = new ArrayList<>();
            String token = null;
            do {
                var page = backups.list(LH, new ListOptions().limit(500)._continue(token))
                        .throwsApiException()
                        .getObject();
                all.addAll(page.getItems());
                token = page.getMetadata().getContinue();
            } while (token != null);
            assertEquals(1_000, all.size());

            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> codes = new ArrayList<>();
                for (DynamicKubernetesObject backup : all) {
                    codes.add(clients.submit(() -> {
                        DeleteOptions options = new DeleteOptions();
                        options.setPreconditions(
                                new V1Preconditions().uid(backup.getMetadata().getUid()));
                        KubernetesApiResponse<DynamicKubernetesObject> response =
                                backups.delete(LH, backup.getMetadata().getName(), options);
                        return response.getHttpStatusCode();
                    }));
                }
                for (Future<Integer> code : codes) {
                    assertEquals(200, code.get());
                }
            } finally {
                clients.shutdownNow();
            }
            Await.until(
                    "every backup is gone",
                    Duration.ofSeconds(10),
                    () -> backups.list(LH, new ListOptions().limit(1))
                            .getObject()
                            .getItems()
                            .isEmpty());
            assertEquals(1_000, sim.requests().count(Verb.DELETE, "backups"));
            assertTrue(sim.remoteBackups().isEmpty());
        }
    }

    private static Set<String> leftovers(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                .map(Thread::getName)
                .filter(name -> SHARED_POOLS.stream().noneMatch(name::startsWith))
                .collect(Collectors.toSet());
    }
}
