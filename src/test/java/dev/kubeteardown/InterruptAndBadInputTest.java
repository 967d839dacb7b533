package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.MockCluster;
import io.kubernetes.client.util.ClientBuilder;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Interrupts stop a run promptly with its partial report; bad input is a clear error before anything is deleted. */
class InterruptAndBadInputTest {

    static final ResourceType BACKUPS = CleanupEngineTest.BACKUPS;
    static final String NS = CleanupEngineTest.NS;

    MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
    }

    @AfterEach
    void stopAndCheckThreads() throws InterruptedException {
        cluster.close();
        assertNoWorkerThreads();
    }

    static void assertNoWorkerThreads() throws InterruptedException {
        MockCluster.await(
                "kube-teardown worker threads to end",
                Duration.ofSeconds(5),
                () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("kube-teardown-") && t.isAlive()));
    }

    @Test
    @DisplayName(
            "an interrupted run stops promptly, throws with the partial report, keeps the interrupt flag, leaves no thread")
    void interruptStopsPromptly() throws Exception {
        cluster.create(BACKUPS, NS, "done", Map.of(), List.of());
        cluster.create(BACKUPS, NS, "held", Map.of(), List.of("longhorn.io"));
        CountDownLatch waiting = new CountDownLatch(2);
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("GET") && !r.getPath().contains("watch=") && cluster.count("DELETE") == 2) {
                waiting.countDown(); // the second poll: "done" is confirmed gone, the run waits for "held"
            }
            return null;
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                Cleanup.builder(cluster.client(), BACKUPS)
                        .namespace(NS)
                        .timeout(Duration.ofSeconds(60))
                        .build()
                        .execute();
            } catch (Throwable t) {
                thrown.set(t);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        runner.start();
        assertTrue(waiting.await(10, TimeUnit.SECONDS), "the run reached its wait");
        long interruptedAt = System.nanoTime();
        runner.interrupt();
        runner.join(10_000);
        long stopMillis = (System.nanoTime() - interruptedAt) / 1_000_000;
        assertTrue(stopMillis < 5_000, "stopped promptly after the interrupt: " + stopMillis + " ms");
        CleanupInterruptedException e = (CleanupInterruptedException) thrown.get();
        CleanupReport partial = e.report();
        assertEquals(
                Outcome.Status.DELETED,
                partial.outcomes().stream()
                        .filter(o -> o.name().equals("done"))
                        .findFirst()
                        .orElseThrow()
                        .status());
        Outcome held = partial.outcomes().stream()
                .filter(o -> o.name().equals("held"))
                .findFirst()
                .orElseThrow();
        assertEquals(Outcome.Status.FAILED, held.status());
        assertTrue(held.detail().startsWith("interrupted"), held.detail());
        assertTrue(flag.get(), "the interrupt flag is restored");
    }

    @Test
    @DisplayName("an unreachable API server is a CleanupConfigurationException naming the server")
    void unreachableServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var client = new ClientBuilder().setBasePath("http://127.0.0.1:" + port).build();
        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class,
                () -> Cleanup.builder(client, BACKUPS)
                        .namespace(NS)
                        .backoff(Backoff.DEFAULT.withMaxAttempts(2))
                        .build()
                        .run());
        assertTrue(e.getMessage().contains("cannot reach the API server at http://127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("after 2 attempts"), e.getMessage());
    }

    @Test
    @DisplayName("a client without credentials (401 on list) is a CleanupConfigurationException; nothing is deleted")
    void noCredentials() {
        cluster.create(BACKUPS, NS, "a");
        cluster.intercept((r, c) -> MockCluster.status(401, "Unauthorized", "Unauthorized"));
        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class,
                () -> Cleanup.builder(cluster.client(), BACKUPS)
                        .namespace(NS)
                        .build()
                        .execute());
        assertTrue(e.getMessage().contains("401 Unauthorized"), e.getMessage());
        assertTrue(e.getMessage().contains("refused the client's credentials"), e.getMessage());
        assertEquals(0, cluster.count("DELETE"));
    }

    @Test
    @DisplayName("a run returns by its deadline even when every request hangs")
    void hangingServerDoesNotHangTheRun() {
        cluster.create(BACKUPS, NS, "a");
        cluster.intercept((r, c) -> r.getMethod().equals("DELETE")
                ? MockCluster.status(200, "", "never").setBodyDelay(Duration.ofSeconds(30))
                : null);
        long start = System.nanoTime();
        CleanupReport report = Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(2))
                .build()
                .execute();
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took < 2_000 + Deadline.FINAL_CHECK.toMillis() + 2_000, "returned by the deadline: " + took + " ms");
        assertEquals(Outcome.Status.FAILED, report.outcomes().get(0).status(), report.table());
        assertTrue(report.outcomes().get(0).detail().contains("request timed out"), report.table());
    }

    @Test
    @DisplayName(
            "removeFinalizersAfterDeadline: a STUCK object's finalizers are removed (resourceVersion-checked), it goes, and the outcome says so")
    void finalizerEscapeHatch() {
        cluster.create(BACKUPS, NS, "orphaned", Map.of(), List.of("longhorn.io"));
        CleanupReport report = Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(2))
                .removeFinalizersAfterDeadline(Duration.ofSeconds(5))
                .build()
                .run();
        Outcome o = report.outcomes().get(0);
        assertEquals(Outcome.Status.DELETED, o.status(), report.table());
        assertTrue(
                o.detail().contains("finalizers [longhorn.io] removed by kube-teardown after the deadline"),
                o.detail());
        MockCluster.Recorded patch = cluster.recorded().stream()
                .filter(r -> r.method().equals("PATCH"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                patch.body().contains("\"finalizers\":null") && patch.body().contains("\"resourceVersion\""),
                patch.body());
        assertTrue(!cluster.exists(BACKUPS, NS, "orphaned"));
    }

    @Test
    @DisplayName("without the escape hatch no finalizer is ever touched")
    void noFinalizerPatchByDefault() {
        cluster.create(BACKUPS, NS, "held", Map.of(), List.of("longhorn.io"));
        CleanupReport report = Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(2))
                .build()
                .execute();
        assertEquals(Outcome.Status.STUCK, report.outcomes().get(0).status());
        assertEquals(0, cluster.count("PATCH"));
    }

    @Test
    @DisplayName("concurrent runs of one immutable cleanup share nothing")
    void concurrentRunsOfOneCleanup() throws Exception {
        for (int i = 0; i < 20; i++) {
            cluster.create(BACKUPS, NS, "b-" + i);
        }
        Cleanup cleanup =
                Cleanup.builder(cluster.client(), BACKUPS).namespace(NS).build();
        CompletableFuture<CleanupReport> a = CompletableFuture.supplyAsync(cleanup::execute);
        CompletableFuture<CleanupReport> b = CompletableFuture.supplyAsync(cleanup::execute);
        CleanupReport ra = a.get(20, TimeUnit.SECONDS);
        CleanupReport rb = b.get(20, TimeUnit.SECONDS);
        assertTrue(ra.isClean() && rb.isClean(), ra.table() + rb.table());
        assertEquals(0, cluster.countObjects(BACKUPS, NS));
        long removed = ra.count(Outcome.Status.DELETED) + rb.count(Outcome.Status.DELETED);
        assertTrue(removed >= 20, "every object deleted by one of the runs: " + ra.summary() + " / " + rb.summary());
    }
}
