package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.MockCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Plans on the mock: order, barriers, parallel groups, the deadline, interrupts, one report, re-creation check. */
class CleanupPlanTest {

    static final ResourceType VOLUMES = ResourceType.namespaced("longhorn.io", "v1beta2", "backupvolumes");
    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "longhorn-system";

    MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    Cleanup cleanup(ResourceType type, Duration timeout) {
        return Cleanup.builder(cluster.client(), type)
                .namespace(NS)
                .timeout(timeout)
                .build();
    }

    CleanupPlan.Builder plan() {
        return CleanupPlan.builder(cluster.client()).name("test plan");
    }

    /** A step that waits (interruptibly) for a latch, then reports nothing: for concurrency and deadline tests. */
    static CleanupStep waitingStep(String name, CountDownLatch started, CountDownLatch release) {
        return new CleanupStep() {
            @Override
            public CleanupReport execute() {
                started.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError(name + " was never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CleanupInterruptedException(new CleanupReport(name, "test", List.of(), Duration.ZERO));
                }
                return new CleanupReport(name, "test", List.of(), Duration.ZERO);
            }

            @Override
            public String description() {
                return name;
            }
        };
    }

    @Test
    @DisplayName("steps run in order, and one report holds every object of every step, with the step reports kept")
    void stepsRunInOrderIntoOneReport() {
        for (int i = 0; i < 3; i++) {
            cluster.create(VOLUMES, NS, "volume-" + i);
            cluster.create(BACKUPS, NS, "backup-" + i);
        }
        CleanupReport report = plan().step(cleanup(VOLUMES, Duration.ofSeconds(10)))
                .step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .build()
                .run();

        assertEquals(6, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(2, report.steps().size());
        assertEquals(3, report.steps().get(0).count(Outcome.Status.DELETED));
        assertTrue(report.steps().get(0).resource().startsWith("backupvolumes.longhorn.io"));
        assertTrue(report.steps().get(1).resource().startsWith("backups.longhorn.io"));
        List<String> requests = cluster.requests();
        int lastVolumeDelete = requests.stream()
                .filter(r -> r.startsWith("DELETE") && r.contains("/backupvolumes/"))
                .mapToInt(requests::indexOf)
                .max()
                .orElseThrow();
        int firstBackupRequest = requests.stream()
                .filter(r -> r.contains("/backups"))
                .mapToInt(requests::indexOf)
                .min()
                .orElseThrow();
        assertTrue(lastVolumeDelete < firstBackupRequest, "volumes before backups: " + requests);
        assertTrue(report.summary().startsWith("test plan in 2 steps: 6 objects, DELETED=6"), report.summary());
        assertTrue(report.table().contains("  1. backupvolumes.longhorn.io"), report.table());
        assertTrue(report.table().contains("  2. backups.longhorn.io"), report.table());
        String json = report.toJson();
        assertTrue(json.contains("\"steps\": ["), json);
        assertEquals(6, json.split("\"status\": \"DELETED\"").length - 1, "outcomes are listed once: " + json);
    }

    @Test
    @DisplayName("a barrier that is not clean stops every later step, which is SKIPPED naming the barrier")
    void barrierThatIsNotCleanStopsLaterSteps() {
        cluster.create(VOLUMES, NS, "held", Map.of(), List.of("longhorn.io"));
        cluster.create(BACKUPS, NS, "backup-1");
        CleanupPlan plan = plan().step(cleanup(VOLUMES, Duration.ofMillis(1500)))
                .barrier()
                .step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .build();

        CleanupFailedException e = assertThrows(CleanupFailedException.class, plan::run);

        CleanupReport report = e.report();
        assertEquals(1, report.problems().size(), report.table()); // STUCK, or FAILED on a very slow machine
        Outcome skipped = report.steps().get(1).outcomes().get(0);
        assertEquals(Outcome.Status.SKIPPED, skipped.status());
        assertEquals("not run: barrier step 1 is not clean", skipped.detail());
        assertTrue(cluster.exists(BACKUPS, NS, "backup-1"), "the backups were not touched");
        assertEquals(0, cluster.count("DELETE", "/backups/"));
    }

    @Test
    @DisplayName("a step that is not clean but no barrier does not stop the steps after it")
    void stepThatIsNotCleanDoesNotStopOthers() {
        cluster.create(VOLUMES, NS, "held", Map.of(), List.of("longhorn.io"));
        cluster.create(BACKUPS, NS, "backup-1");

        CleanupReport report = plan().step(cleanup(VOLUMES, Duration.ofMillis(1500)))
                .step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .build()
                .execute();

        assertFalse(report.isClean());
        assertEquals(1, report.count(Outcome.Status.DELETED), report.table());
        assertFalse(cluster.exists(BACKUPS, NS, "backup-1"));
    }

    @Test
    @DisplayName("the steps of a parallel group run at the same time")
    void parallelStepsRunConcurrently() {
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        // each step waits for the other to have started: only concurrent steps can both finish
        CleanupReport report = plan().parallel(
                        waitingStep("a", aStarted, bStarted), waitingStep("b", bStarted, aStarted))
                .build()
                .execute();

        assertTrue(report.isClean(), report.table());
        assertEquals(2, report.steps().size());
        assertEquals(
                List.of("a", "b"),
                report.steps().stream().map(CleanupReport::resource).toList());
    }

    @Test
    @DisplayName("a step still running at the plan's deadline is stopped, and steps not started by then are FAILED")
    void deadlineStopsTheRunningStepAndFailsTheRest() {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        cluster.create(BACKUPS, NS, "backup-1");

        CleanupReport report = plan().step(waitingStep("slow", started, never))
                .step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .timeout(Duration.ofMillis(200))
                .build()
                .execute();

        assertFalse(report.isClean(), report.table());
        assertTrue(
                report.steps().get(0).notes().contains("slow: stopped at the plan's deadline (PT0.2S)"),
                report.steps().get(0).notes().toString());
        Outcome notStarted = report.steps().get(1).outcomes().get(0);
        assertEquals(Outcome.Status.FAILED, notStarted.status());
        assertEquals("not started: the plan's deadline (PT0.2S) had passed", notStarted.detail());
        assertTrue(cluster.exists(BACKUPS, NS, "backup-1"));
    }

    @Test
    @DisplayName("an interrupted plan stops its running step and throws with the partial report")
    void interruptedPlanThrowsWithPartialReport() throws Exception {
        cluster.create(BACKUPS, NS, "backup-1");
        CountDownLatch started = new CountDownLatch(1);
        CleanupPlan plan = plan().step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .step(waitingStep("blocks", started, new CountDownLatch(1)))
                .build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                plan.execute();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        runner.start();
        assertTrue(started.await(10, TimeUnit.SECONDS), "the second step started");
        runner.interrupt();
        runner.join(TimeUnit.SECONDS.toMillis(20));

        assertFalse(runner.isAlive(), "the plan returned");
        CleanupInterruptedException e = (CleanupInterruptedException) thrown.get();
        assertEquals(1, e.report().count(Outcome.Status.DELETED), e.report().table());
        assertEquals(1, e.report().steps().size(), "only the finished step is reported");
    }

    @Test
    @DisplayName("a step that throws is a FAILED step; the steps after it still run")
    void stepThatThrowsIsFailed() {
        cluster.create(BACKUPS, NS, "backup-1");
        CleanupStep broken = new CleanupStep() {
            @Override
            public CleanupReport execute() {
                throw new IllegalStateException("broken step");
            }

            @Override
            public String description() {
                return "broken";
            }
        };

        CleanupReport report = plan().step(broken)
                .step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .build()
                .execute();

        Outcome failed = report.steps().get(0).outcomes().get(0);
        assertEquals(Outcome.Status.FAILED, failed.status());
        assertEquals("step 1 did not complete: java.lang.IllegalStateException: broken step", failed.detail());
        assertEquals(1, report.count(Outcome.Status.DELETED));
    }

    @Test
    @DisplayName("verifyAfter: an object the plan removed that is there again (new UID) makes the report not clean")
    void recreatedObjectIsReported() {
        String oldUid = cluster.create(BACKUPS, NS, "backup-1");
        cluster.create(BACKUPS, NS, "backup-2");
        // the backupstore poll re-creates backup-1 while the plan waits
        Sleeper recreateDuringGrace = d -> cluster.create(BACKUPS, NS, "backup-1");

        CleanupReport report = plan().step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .verifyAfter(Duration.ofSeconds(30))
                .sleeper(recreateDuringGrace)
                .build()
                .execute();

        assertFalse(report.isClean());
        CleanupReport check = report.steps().get(1);
        assertEquals("re-creation check 30 s after the plan", check.resource());
        Outcome back = check.outcomes().get(0);
        assertEquals(Outcome.Status.FAILED, back.status());
        assertEquals("backup-1", back.name());
        assertNotEquals(oldUid, back.uid());
        assertTrue(
                back.detail()
                        .contains("re-created from backupstore data: delete the backup volume first, or"
                                + " clear the backupstore"),
                back.detail());
        assertTrue(back.detail().contains("was " + oldUid), back.detail());
        assertEquals(2, report.count(Outcome.Status.DELETED), "the first removal still counts");
    }

    @Test
    @DisplayName("verifyAfter: nothing came back, the report is clean and the check waited the grace")
    void nothingRecreatedIsClean() {
        cluster.create(BACKUPS, NS, "backup-1");
        AtomicReference<Duration> slept = new AtomicReference<>();

        CleanupReport report = plan().step(cleanup(BACKUPS, Duration.ofSeconds(10)))
                .verifyAfter(Duration.ofSeconds(5))
                .sleeper(slept::set)
                .build()
                .run();

        assertEquals(Duration.ofSeconds(5), slept.get());
        assertTrue(report.steps().get(1).outcomes().isEmpty(), report.table());
    }

    @Test
    @DisplayName("a plan is a step: nested in another plan, its objects are in the outer report")
    void planIsAStep() {
        cluster.create(BACKUPS, NS, "backup-1");
        CleanupPlan inner =
                plan().step(cleanup(BACKUPS, Duration.ofSeconds(10))).build();

        CleanupReport report = plan().step(inner).build().run();

        assertEquals(1, report.count(Outcome.Status.DELETED));
        assertEquals(1, report.steps().get(0).steps().size(), "the inner plan keeps its own steps");
        assertEquals(1, inner.cleanups().size());
    }

    @Test
    @DisplayName("bad plans are rejected at build(), naming what is wrong")
    void badPlansAreRejected() {
        assertEquals(
                "a plan needs at least one step",
                assertThrows(IllegalArgumentException.class, () -> plan().build())
                        .getMessage());
        assertEquals(
                "barrier() marks the step added last: add a step first",
                assertThrows(IllegalStateException.class, () -> plan().barrier())
                        .getMessage());
        assertEquals(
                "parallel(...) needs at least one step",
                assertThrows(IllegalArgumentException.class, () -> plan().parallel())
                        .getMessage());
        assertThrows(NullPointerException.class, () -> plan().step(null));
        assertEquals(
                "timeout must be > 0, was PT0S",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> plan().step(cleanup(BACKUPS, Duration.ofSeconds(1)))
                                        .timeout(Duration.ZERO)
                                        .build())
                        .getMessage());
    }
}
