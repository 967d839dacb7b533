package dev.kubeteardown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The control plane going away in the middle of a teardown: kube-apiserver SIGKILLed and restarted on the same port,
 * and etcd paused. Each test leaves the servers ready (readyz 200, CRDs served): later classes of this JVM share them.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class ApiServerRestartIT {

    private static final int DECOYS = 10;

    private final RealApiServer server;

    ApiServerRestartIT(RealApiServer server) {
        this.server = server;
    }

    /**
     * One kill serves both cases (a restart costs 5 to 20 s here): run A (2,000 backups, long deadline) and run B (500,
     * short deadline) both delete when the apiserver is SIGKILLed; it is restarted only once B has returned, so B never
     * sees it back and A does.
     */
    @Test
    @DisplayName(
            "kube-apiserver SIGKILLed mid-run: back before the deadline the run is clean; not back, it returns with honest FAILED/STUCK; decoys intact")
    void apiServerKilledAndRestarted() throws Exception {
        int objectsA = 2_000;
        int objectsB = 500;
        Duration timeoutA = Duration.ofSeconds(180);
        Duration timeoutB = Duration.ofSeconds(6);
        try (ScopedWorld a = ScopedWorld.seed(server, "restart", objectsA, DECOYS);
                ScopedWorld b = ScopedWorld.seed(server, "down", objectsB, DECOYS)) {
            ApiClient clientA = server.adminClient();
            ApiClient clientB = server.adminClient();
            CountDownLatch deletingA = ScopedWorld.afterDeletes(clientA, 100);
            CountDownLatch deletingB = ScopedWorld.afterDeletes(clientB, 20);
            ScopedWorld.Run runA;
            ScopedWorld.Run runB;
            boolean killed = false;
            try {
                ScopedWorld.Started startedA = ScopedWorld.start(
                        // default retries: a server that answered and went away is retried until the deadline
                        a.cleanup(clientA).timeout(timeoutA).build(), timeoutA);
                ScopedWorld.Started startedB =
                        ScopedWorld.start(b.cleanup(clientB).timeout(timeoutB).build(), timeoutB);
                assertTrue(ScopedWorld.awaitWhileRunning(deletingA, startedA, Duration.ofSeconds(60)), "A deleting");
                assertTrue(ScopedWorld.awaitWhileRunning(deletingB, startedB, Duration.ofSeconds(60)), "B deleting");
                server.killApiServer();
                killed = true;
                runB = startedB.await();
                server.restartApiServer();
                killed = false;
                runA = startedA.await();
            } finally {
                if (killed) {
                    server.restartApiServer();
                }
            }

            CleanupReport reportA = runA.report();
            assertEquals(List.of(), a.violations(reportA, timeoutA, runA.took()), reportA.summary());
            assertTrue(reportA.isClean(), reportA.summary() + "\n" + reportA.problems());
            assertEquals(objectsA, reportA.outcomes().size(), reportA.summary());
            assertEquals(Set.of(), a.remaining());

            CleanupReport reportB = runB.report();
            assertEquals(List.of(), b.violations(reportB, timeoutB, runB.took()), reportB.summary());
            assertTrue(
                    reportB.count(Outcome.Status.FAILED) + reportB.count(Outcome.Status.STUCK) > 0, reportB.summary());
            ItTiming.print(
                    "apiserver SIGKILL + restart: A %d backups, back before its deadline: %d ms (timeout %d s): %s;"
                            + " B %d backups, not back before its deadline: %d ms (timeout %d s): %s",
                    objectsA,
                    runA.took().toMillis(),
                    timeoutA.toSeconds(),
                    reportA.tally(),
                    objectsB,
                    runB.took().toMillis(),
                    timeoutB.toSeconds(),
                    reportB.tally());
        }
    }

    @Test
    @DisplayName("etcd paused for 5 s while backups are being deleted: clean, one honest outcome each, decoys intact")
    void etcdGoneForFiveSeconds() throws Exception {
        int objects = 500;
        Duration timeout = Duration.ofSeconds(60);
        try (ScopedWorld world = ScopedWorld.seed(server, "etcd", objects, DECOYS)) {
            ApiClient client = server.adminClient();
            CountDownLatch deleting = ScopedWorld.afterDeletes(client, 20);
            ScopedWorld.Run run;
            try {
                ScopedWorld.Started started =
                        ScopedWorld.start(world.cleanup(client).timeout(timeout).build(), timeout);
                assertTrue(ScopedWorld.awaitWhileRunning(deleting, started, Duration.ofSeconds(60)), "deleting");
                server.pauseEtcd();
                // the outage's length, not a synchronisation: etcd is away for 5 s
                Thread.sleep(5_000);
                server.resumeEtcd();
                run = started.await();
            } finally {
                server.resumeEtcd();
            }
            CleanupReport report = run.report();
            assertEquals(List.of(), world.violations(report, timeout, run.took()), report.summary());
            assertTrue(report.isClean(), report.summary() + "\n" + report.problems());
            assertEquals(Set.of(), world.remaining());
            ItTiming.print(
                    "etcd paused 5 s: %d backups, run %d ms (timeout %d s): %s",
                    objects, run.took().toMillis(), timeout.toSeconds(), report.tally());
        }
    }
}
