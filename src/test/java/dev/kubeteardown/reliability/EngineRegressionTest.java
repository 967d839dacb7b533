package dev.kubeteardown.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupListener;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.WaitStrategy;
import dev.kubeteardown.sim.FaultKind;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Minimal, deterministic reproductions of the engine bugs the fault-injection suite found (and that are fixed):
 * a server-side dry run reporting DELETED, "gone" judged through the run's selectors, an interrupted run reporting an
 * object twice. The random suite draws these combinations too.
 */
class EngineRegressionTest {

    @Test
    @DisplayName("a server-side dry run never reports DELETED, even when a lost answer is followed by a 404")
    void serverDryRunNeverReportsDeleted() {
        // the first DELETE: another actor removes the object, and its answer comes after the request timeout;
        // the retry then gets 404
        FaultPlan plan = FaultPlan.builder()
                .seed(1)
                .on(Verb.DELETE, "backups")
                .notFoundRace(1.0)
                .slowRate(1.0, Duration.ofSeconds(2))
                .firstAttempts(1)
                .build();
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            admin.createNamespace("ns-a");
            admin.createBackup("ns-a", "b-1", Map.of(), List.of());
            sim.faults(plan);
            CleanupReport report = Cleanup.builder(sim.apiClient(), Scenario.BACKUPS)
                    .namespace("ns-a")
                    .dryRun(DryRun.SERVER)
                    .requestTimeout(Duration.ofMillis(200))
                    .timeout(Duration.ofSeconds(5))
                    .build()
                    .execute();
            Outcome o = report.outcomes().get(0);
            assertEquals(1, sim.faultsInjected().get(FaultKind.NOT_FOUND_RACE), report.table());
            assertNotEquals(Outcome.Status.DELETED, o.status(), "a dry run deleted nothing: " + o);
            assertEquals(Outcome.Status.ALREADY_GONE, o.status(), report.table());
        }
    }

    @ParameterizedTest
    @EnumSource(WaitStrategy.class)
    @DisplayName("an object that leaves the label selector while held by a finalizer is not reported DELETED")
    void objectLeavingTheSelectorIsNotGone(WaitStrategy strategy) {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            admin.createNamespace("ns-a");
            admin.createBackup("ns-a", "held", Map.of("state", "pending"), List.of(Scenario.HOLD));
            CleanupReport report = Cleanup.builder(sim.apiClient(), Scenario.BACKUPS)
                    .namespace("ns-a")
                    .labelSelector("state=pending")
                    .labelBeforeDelete("state", "deleting")
                    .waitStrategy(strategy)
                    .timeout(Duration.ofMillis(1500))
                    .build()
                    .execute();
            Map<String, SimAdmin.Obj> after = admin.snapshot();
            assertEquals(1, after.size(), "the finalizer still holds it");
            assertTrue(after.values().iterator().next().deleting());
            Outcome o = report.outcomes().get(0);
            assertEquals(Outcome.Status.STUCK, o.status(), report.table());
            assertFalse(report.isClean(), "an object still present makes the report not clean");
        }
    }

    @Test
    @DisplayName("an interrupted run reports each object at most once, even while a worker is deciding it")
    void interruptNeverReportsAnObjectTwice() throws Exception {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            admin.createNamespace("ns-a");
            admin.createBackup("ns-a", "b-1", Map.of(), List.of());
            // the DELETE gets 404 (someone else removed it): a worker decides ALREADY_GONE
            sim.faults(FaultPlan.builder()
                    .on(Verb.DELETE, "backups")
                    .notFoundRace(1.0)
                    .build());
            AtomicReference<Thread> runner = new AtomicReference<>();
            CleanupListener slowDisplay = new CleanupListener() {
                @Override
                public void decided(Outcome o) {
                    if (o.status() == Outcome.Status.ALREADY_GONE) {
                        runner.get().interrupt(); // the user presses Ctrl-C while the display draws this line
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            Cleanup cleanup = Cleanup.builder(sim.apiClient(), Scenario.BACKUPS)
                    .namespace("ns-a")
                    .listener(slowDisplay)
                    .build();
            AtomicReference<CleanupReport> partial = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    cleanup.execute();
                } catch (CleanupInterruptedException e) {
                    partial.set(e.report());
                }
            });
            runner.set(t);
            t.start();
            t.join(10_000);
            CleanupReport report = partial.get();
            assertTrue(report != null, "the run was interrupted");
            assertEquals(1, report.outcomes().size(), "one object, one outcome:\n" + report.table());
        }
    }

    @Test
    @DisplayName("a FAILED object that left the selector is not confirmed gone by the re-check")
    void failedObjectLeavingTheSelectorIsNotConfirmedGone() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            admin.createNamespace("ns-a");
            admin.createBackup("ns-a", "kept", Map.of("state", "pending"), List.of());
            sim.faults(FaultPlan.builder().forbid(Verb.DELETE, "backups").build());
            CleanupReport report = Cleanup.builder(sim.apiClient(), Scenario.BACKUPS)
                    .namespace("ns-a")
                    .labelSelector("state=pending")
                    .labelBeforeDelete("state", "deleting")
                    .timeout(Duration.ofSeconds(2))
                    .build()
                    .execute();
            SimAdmin.Obj kept = admin.snapshot().values().iterator().next();
            assertFalse(kept.deleting(), "the DELETE was refused (403): nothing was deleted");
            assertEquals(Outcome.Status.FAILED, report.outcomes().get(0).status(), report.table());
            assertFalse(report.isClean(), report.table());
        }
    }
}
