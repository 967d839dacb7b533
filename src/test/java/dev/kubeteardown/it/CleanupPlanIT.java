package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.BACKUP_VOLUMES;
import static dev.kubeteardown.it.ItNamespace.FINALIZER;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupPlan;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.Longhorn;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CleanupPlan} on a real server: steps in order (the next starts only once the server holds none of the
 * previous step's objects), a barrier that is not clean, a parallel group, one report of all steps, and {@code
 * verifyAfter} catching a backup re-created under its old name.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class CleanupPlanIT {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

    private final RealApiServer server;
    private ItNamespace ns;

    CleanupPlanIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "plan");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    private Cleanup backupVolumes(ApiClient client, Duration timeout) {
        return Cleanup.builder(client, Longhorn.backupVolumes(Longhorn.DEFAULT_API_VERSION))
                .namespace(ns.name())
                .timeout(timeout)
                .build();
    }

    private BackupCleanup backups(ApiClient client) {
        return BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(STEP_TIMEOUT)
                .build();
    }

    @Test
    @DisplayName(
            "steps run in order: when step 2 sends its first request the server holds none of step 1's objects; one report")
    void stepTwoStartsOnlyOnceStepOneIsGone() throws Exception {
        ns.createBackupVolume("bv-1", "vol-1", List.of(FINALIZER), Map.of());
        ns.createBackupVolume("bv-2", "vol-2", List.of(FINALIZER), Map.of());
        Map<String, String> backupUids = new TreeMap<>();
        for (String name : List.of("b-1", "b-2", "b-3")) {
            backupUids.put(name, ItNamespace.uidOf(ns.create(backup(name).finalizer(FINALIZER))));
        }
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        // what the server holds at the moment step 2 sends its first request (read with another client)
        AtomicReference<Set<String>> volumesWhenStepTwoStarts = new AtomicReference<>();
        AtomicReference<List<Map<String, Object>>> backupsWhenStepTwoStarts = new AtomicReference<>();
        log.before(request -> {
            if (request.url().pathSegments().contains(BACKUPS) && volumesWhenStepTwoStarts.get() == null) {
                volumesWhenStepTwoStarts.set(ns.names(BACKUP_VOLUMES));
                backupsWhenStepTwoStarts.set(ns.list(BACKUPS));
            }
        });

        CleanupReport report;
        try (RealServerLonghornController controller =
                RealServerLonghornController.start(ns, Duration.ofMillis(300), Duration.ofMillis(100))) {
            report = CleanupPlan.builder(client)
                    .step(backupVolumes(client, STEP_TIMEOUT))
                    .step(backups(client))
                    .build()
                    .run();
            RealServerLonghornController.requireNoErrors(controller);
        }

        assertEquals(List.of(), log.hookFailures());
        assertEquals(Set.of(), volumesWhenStepTwoStarts.get(), "step 1's backup volumes were gone: " + log.describe());
        for (Map<String, Object> b : backupsWhenStepTwoStarts.get()) {
            assertNull(ItNamespace.deletionTimestampOf(b), "step 2's backups were untouched until then: " + b);
        }
        assertEquals(3, backupsWhenStepTwoStarts.get().size());
        List<CleanupReport> steps = report.steps();
        assertEquals(2, steps.size(), report.table());
        assertTrue(
                steps.get(0).resource().startsWith("backupvolumes.longhorn.io"),
                steps.get(0).resource());
        assertTrue(
                steps.get(1).resource().startsWith("backups.longhorn.io"),
                steps.get(1).resource());
        assertEquals(2, steps.get(0).count(Outcome.Status.DELETED), steps.get(0).table());
        assertEquals(3, steps.get(1).count(Outcome.Status.DELETED), steps.get(1).table());
        Map<String, String> reportedUids = new TreeMap<>();
        steps.get(1).outcomes().forEach(o -> reportedUids.put(o.name(), o.uid()));
        assertEquals(backupUids, reportedUids, "step 2 reports the backups it deleted, by UID");
        List<Outcome> all = new ArrayList<>(steps.get(0).outcomes());
        all.addAll(steps.get(1).outcomes());
        assertEquals(all, report.outcomes(), "the plan's report holds every outcome of every step, in step order");
        assertTrue(report.isClean(), report.table());
        assertEquals(Set.of(), ns.names(BACKUP_VOLUMES));
        assertEquals(Set.of(), ns.names(BACKUPS));
    }

    @Test
    @DisplayName(
            "a barrier held by a finalizer no one removes: STUCK, later steps SKIPPED naming it, their objects untouched")
    void barrierThatIsNotCleanStopsLaterSteps() throws Exception {
        ns.createBackupVolume("bv-held", "vol-held", List.of(FINALIZER), Map.of());
        Map<String, String> backupUids = new TreeMap<>();
        for (String name : List.of("b-1", "b-2")) {
            backupUids.put(name, ItNamespace.uidOf(ns.create(backup(name))));
        }
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = CleanupPlan.builder(client)
                .step(backupVolumes(client, Duration.ofSeconds(2)))
                .barrier()
                .step(backups(client))
                .build()
                .execute();

        assertEquals(2, report.steps().size(), report.table());
        Outcome held = report.steps().get(0).outcomes().get(0);
        assertEquals(Outcome.Status.STUCK, held.status(), report.table());
        assertEquals("bv-held", held.name());
        assertEquals(List.of(FINALIZER), held.finalizers());
        List<Outcome> skipped = report.steps().get(1).outcomes();
        assertEquals(1, skipped.size(), report.table());
        assertEquals(Outcome.Status.SKIPPED, skipped.get(0).status());
        assertTrue(skipped.get(0).isScopeOutcome());
        assertEquals("not run: barrier step 1 is not clean", skipped.get(0).detail());
        assertFalse(report.isClean());
        assertEquals(List.of(held), report.problems());

        assertEquals(0, log.count(s -> s.url().pathSegments().contains(BACKUPS)), log.describe());
        Map<String, String> onServer = new TreeMap<>();
        for (Map<String, Object> b : ns.list(BACKUPS)) {
            assertNull(ItNamespace.deletionTimestampOf(b), "left alone: " + b);
            onServer.put(ItNamespace.nameOf(b), ItNamespace.uidOf(b));
        }
        assertEquals(backupUids, onServer, "the backups behind the barrier are the same objects");
        assertTrue(ns.get(BACKUP_VOLUMES, "bv-held").isPresent());
    }

    /**
     * The two steps' objects are released only once both steps' objects are being deleted: run one after the other,
     * the first step could never finish (STUCK at its deadline). A clean report is the proof they ran together.
     */
    @Test
    @DisplayName("a parallel group runs its steps at once: objects released only when both steps have deleted, clean")
    void parallelGroupRunsStepsTogether() throws Exception {
        ns.createBackupVolume("bv-1", "vol-1", List.of(FINALIZER), Map.of());
        ns.create(backup("b-1").finalizer(FINALIZER));
        ns.create(backup("b-2").finalizer(FINALIZER));
        ApiClient client = server.adminClient();

        CleanupReport report;
        try (ReleaseWhenAllDeleting controller = new ReleaseWhenAllDeleting(ns, List.of(BACKUP_VOLUMES, BACKUPS))) {
            report = CleanupPlan.builder(client)
                    .parallel(backupVolumes(client, STEP_TIMEOUT), backups(client))
                    .build()
                    .execute();
            controller.requireNoErrors();
            assertTrue(controller.released(), "the controller saw both steps deleting at the same time");
        }

        assertTrue(report.isClean(), report.table());
        assertEquals(2, report.steps().size(), report.table());
        assertEquals(1, report.steps().get(0).count(Outcome.Status.DELETED), report.table());
        assertEquals(2, report.steps().get(1).count(Outcome.Status.DELETED), report.table());
        assertEquals(3, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(Set.of(), ns.names(BACKUP_VOLUMES));
        assertEquals(Set.of(), ns.names(BACKUPS));
    }

    @Test
    @DisplayName(
            "verifyAfter: a backup re-created under its name after the plan deleted it is FAILED (new UID); report not clean")
    void verifyAfterCatchesRecreatedBackup() throws Exception {
        String deletedUid = ItNamespace.uidOf(ns.create(backup("comes-back")));
        ns.create(backup("stays-gone"));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        // like Longhorn's backupstore poll: re-creates the backup (a new object, new UID) once it sees it gone
        CompletableFuture<String> recreatedUid = new CompletableFuture<>();
        ExecutorService recreator = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "it-recreator-" + ns.name());
            t.setDaemon(true);
            return t;
        });
        Future<?> recreating = recreator.submit(() -> {
            try {
                RealApiServer.await(
                        "comes-back to be deleted",
                        Duration.ofSeconds(30),
                        () -> ns.get(BACKUPS, "comes-back").isEmpty() ? Optional.of(true) : Optional.empty());
                recreatedUid.complete(ItNamespace.uidOf(ns.create(backup("comes-back"))));
            } catch (Throwable e) {
                recreatedUid.completeExceptionally(e);
            }
        });
        // the re-check lists backups a second time: it must not look before the re-creation has happened
        log.before(request -> {
            if (request.method().equals("GET")
                    && RequestLog.objectName(request).equals(BACKUPS)
                    && request.url().queryParameter("watch") == null
                    && log.count(RequestLog.list(BACKUPS)) >= 1) {
                recreatedUid.get(30, TimeUnit.SECONDS);
            }
        });

        CleanupReport report;
        try {
            report = CleanupPlan.builder(client)
                    .step(backups(client))
                    .verifyAfter(Duration.ofSeconds(1))
                    .build()
                    .execute();
        } finally {
            recreating.cancel(true);
            recreator.shutdownNow();
            assertTrue(recreator.awaitTermination(10, TimeUnit.SECONDS));
        }

        assertEquals(List.of(), log.hookFailures());
        String newUid = recreatedUid.getNow(null);
        assertNotEquals(deletedUid, newUid);
        assertEquals(2, report.steps().size(), "the backups step, then the re-creation check: " + report.table());
        assertEquals(2, report.steps().get(0).count(Outcome.Status.DELETED), report.table());
        List<Outcome> check = report.steps().get(1).outcomes();
        assertEquals(1, check.size(), report.table());
        Outcome recreated = check.get(0);
        assertEquals(Outcome.Status.FAILED, recreated.status());
        assertEquals("comes-back", recreated.name());
        assertEquals(ns.name(), recreated.namespace());
        assertEquals(newUid, recreated.uid());
        assertTrue(
                recreated
                        .detail()
                        .startsWith("there again 1 s after the plan removed it (new UID " + newUid + ", was "
                                + deletedUid + ")"),
                recreated.detail());
        assertFalse(report.isClean());
        assertEquals(List.of(recreated), report.problems());
        assertEquals(Set.of("comes-back"), ns.names(BACKUPS), "the re-created backup is reported, not deleted");
    }

    /**
     * Removes the {@value ItNamespace#FINALIZER} finalizer of every object of the given plurals, but only once every
     * one of them carries a deletionTimestamp (polling every 50 ms). Steps run one after the other never get there.
     */
    private static final class ReleaseWhenAllDeleting implements AutoCloseable {

        private final ItNamespace ns;
        private final List<String> plurals;
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "it-release-when-all-deleting");
            t.setDaemon(true);
            return t;
        });
        private final Map<String, Throwable> errors = new ConcurrentHashMap<>();
        private final Future<?> loop;
        private volatile boolean released;

        ReleaseWhenAllDeleting(ItNamespace ns, List<String> plurals) {
            this.ns = ns;
            this.plurals = plurals;
            this.loop = thread.submit(this::run);
        }

        private void run() {
            try {
                Map<String, List<String>> deleting = RealApiServer.await(
                        "every object of " + plurals + " to be deleting", Duration.ofSeconds(60), () -> {
                            Map<String, List<String>> names = new LinkedHashMap<>();
                            for (String plural : plurals) {
                                List<String> here = new ArrayList<>();
                                for (Map<String, Object> o : ns.list(plural)) {
                                    if (ItNamespace.deletionTimestampOf(o) == null) {
                                        return Optional.empty();
                                    }
                                    here.add(ItNamespace.nameOf(o));
                                }
                                names.put(plural, here);
                            }
                            return Optional.of(names);
                        });
                // set before releasing: the plan may see the last object go and return before this thread goes on
                released = true;
                for (Map.Entry<String, List<String>> e : deleting.entrySet()) {
                    for (String name : e.getValue()) {
                        ns.removeFinalizers(e.getKey(), name);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                errors.put("loop", e);
            }
        }

        boolean released() {
            return released;
        }

        void requireNoErrors() {
            if (!errors.isEmpty()) {
                throw new AssertionError("release-when-all-deleting controller failed: " + errors);
            }
        }

        @Override
        public void close() throws InterruptedException {
            loop.cancel(true);
            thread.shutdownNow();
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("release-when-all-deleting controller did not stop within 10 s");
            }
        }
    }
}
