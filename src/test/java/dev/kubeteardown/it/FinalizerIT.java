package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.FINALIZER;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Finalizers on a real server: STUCK without a controller, DELETED with one, and the opt-in escape hatch. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class FinalizerIT {

    private static final Set<String> NAMES = Set.of("held-1", "held-2", "held-3");
    // the finalizers are never released: the deadline only has to leave the three deletes time on a loaded machine
    private static final Duration DEADLINE_BEFORE_ESCAPE_HATCH = Duration.ofSeconds(2);

    private final RealApiServer server;
    private ItNamespace ns;

    FinalizerIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createBackups() throws Exception {
        ns = ItNamespace.create(server, "finalizer");
        for (String name : NAMES) {
            ns.create(backup(name).finalizer(FINALIZER));
        }
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName(
            "finalizer longhorn.io and no controller: STUCK naming the finalizer and the server's deletionTimestamp; no PATCH")
    void heldByFinalizerIsStuck() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(3))
                .build()
                .execute();

        assertEquals(3, report.count(Outcome.Status.STUCK), report.table());
        for (Outcome o : report.outcomes()) {
            Map<String, Object> onServer =
                    ns.get(BACKUPS, o.name()).orElseThrow(() -> new AssertionError(o.name() + " gone"));
            String deletionTimestamp = ItNamespace.deletionTimestampOf(onServer);
            assertNotNull(deletionTimestamp, "the server marked " + o.name() + " for deletion");
            assertEquals(List.of(FINALIZER), o.finalizers(), o.toString());
            assertEquals(deletionTimestamp, o.deletionTimestamp(), o.toString());
            assertEquals(
                    "still present at the deadline (3000 ms): finalizers [longhorn.io], deletionTimestamp "
                            + deletionTimestamp,
                    o.detail());
            assertEquals(List.of(FINALIZER), ItNamespace.finalizersOf(onServer), "the finalizer is left alone");
        }
        assertEquals(0, log.count(RequestLog.patch(BACKUPS)), "no finalizer is touched by default: " + log.describe());
        assertEquals(3, log.count(RequestLog.delete(BACKUPS)), log.describe());
        CleanupFailedException e = assertThrows(CleanupFailedException.class, report::throwIfNotClean);
        assertTrue(
                e.getMessage()
                        .contains("STUCK backups.longhorn.io " + ns.name() + "/held-1: still present at the deadline"
                                + " (3000 ms): finalizers [longhorn.io], deletionTimestamp "),
                e.getMessage());
        assertEquals(3, e.getSuppressed().length);
    }

    @Test
    @DisplayName(
            "a controller that removes the finalizer ~300 ms after the deletionTimestamp appears: DELETED, confirmed by watch")
    void releasedByControllerIsDeleted() throws Exception {
        ApiClient client = server.adminClient();
        RealServerLonghornController controller =
                RealServerLonghornController.start(ns, Duration.ofMillis(300), Duration.ofMillis(300));
        CleanupReport report;
        try {
            report = BackupCleanup.builder(client)
                    .namespace(ns.name())
                    .timeout(Duration.ofSeconds(20))
                    .build()
                    .run();
        } finally {
            controller.close();
        }
        assertEquals(0, controller.liveThreads(), "the controller left no thread behind");
        RealServerLonghornController.requireNoErrors(controller);

        assertEquals(3, report.count(Outcome.Status.DELETED), report.table());
        report.outcomes().forEach(o -> assertEquals("confirmed gone by watch", o.detail(), o.toString()));
        assertEquals(3, controller.finalizersRemoved());
        assertEquals(Set.of(), ns.names(BACKUPS));
        for (Outcome o : report.outcomes()) {
            assertTrue(o.duration().toMillis() >= 300, "waited for the controller's 300 ms: " + o + " " + o.duration());
        }
    }

    @Test
    @DisplayName(
            "removeFinalizersAfterDeadline: a resourceVersion-checked merge patch releases the STUCK object; DELETED saying so")
    void escapeHatchRemovesFinalizers() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(DEADLINE_BEFORE_ESCAPE_HATCH)
                .removeFinalizersAfterDeadline(Duration.ofSeconds(10))
                .build()
                .run();

        assertEquals(3, report.count(Outcome.Status.DELETED), report.table());
        for (Outcome o : report.outcomes()) {
            assertTrue(
                    o.detail()
                            .contains("finalizers [longhorn.io] removed by kube-teardown after the deadline"
                                    + " (removeFinalizersAfterDeadline); what they protected was not cleaned up"),
                    o.detail());
        }
        List<RequestLog.Sent> patches = log.matching(RequestLog.patch(BACKUPS));
        assertEquals(3, patches.size(), log.describe());
        for (RequestLog.Sent patch : patches) {
            assertEquals(200, patch.code(), patch.toString());
            assertTrue(patch.body().contains("\"finalizers\":null"), patch.body());
            assertTrue(patch.body().matches(".*\"resourceVersion\":\"\\d+\".*"), patch.body());
        }
        assertEquals(Set.of(), ns.names(BACKUPS));
    }

    @Test
    @DisplayName(
            "removeFinalizersAfterDeadline on an object changed since it was last seen: the server refuses (409), STUCK")
    void escapeHatchRespectsResourceVersion() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        AtomicBoolean changed = new AtomicBoolean();
        log.before(request -> {
            if (RequestLog.isPatchOf(request, BACKUPS)
                    && RequestLog.objectName(request).equals("held-1")
                    && changed.compareAndSet(false, true)) {
                // someone (a controller coming back) changes held-1 after the run last saw it
                ns.mergePatch(BACKUPS, "held-1", "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}");
            }
        });

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(DEADLINE_BEFORE_ESCAPE_HATCH)
                .removeFinalizersAfterDeadline(Duration.ofSeconds(10))
                .build()
                .execute();

        assertEquals(List.of(), log.hookFailures());
        Outcome held1 = report.outcomes().stream()
                .filter(o -> o.name().equals("held-1"))
                .findFirst()
                .orElseThrow();
        assertEquals(Outcome.Status.STUCK, held1.status(), report.table());
        assertTrue(held1.detail().contains("finalizer removal refused"), held1.detail());
        assertTrue(
                held1.detail()
                        .contains("the object has been modified; please apply your changes to the latest version"),
                held1.detail());
        assertEquals(2, report.count(Outcome.Status.DELETED), report.table());
        Map<String, Object> onServer = ns.get(BACKUPS, "held-1").orElseThrow();
        assertEquals(List.of(FINALIZER), ItNamespace.finalizersOf(onServer), "the refused patch changed nothing");
        assertEquals(
                409,
                log.matching(RequestLog.patch(BACKUPS)).stream()
                        .filter(s -> s.lastSegment().equals("held-1"))
                        .findFirst()
                        .orElseThrow()
                        .code());
    }

    /**
     * Regression: a 409 on the escape hatch's resourceVersion-checked patch once got the delete's UID-precondition
     * text ("already removed ... re-created under the same name"), contradicting the STUCK status of an object that is
     * still there.
     */
    @Test
    @DisplayName(
            "BUG: a refused finalizer removal (409, object modified) is not described as 'already removed' / 're-created'")
    void escapeHatchRefusalDetailIsTruthful() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        AtomicBoolean changed = new AtomicBoolean();
        log.before(request -> {
            if (RequestLog.isPatchOf(request, BACKUPS) && changed.compareAndSet(false, true)) {
                ns.mergePatch(
                        BACKUPS, RequestLog.objectName(request), "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}");
            }
        });

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(DEADLINE_BEFORE_ESCAPE_HATCH)
                .removeFinalizersAfterDeadline(Duration.ofSeconds(10))
                .build()
                .execute();

        Outcome refused = report.outcomes(Outcome.Status.STUCK).get(0);
        assertFalse(refused.detail().contains("already removed"), refused.detail());
        assertFalse(refused.detail().contains("re-created"), refused.detail());
        assertFalse(refused.detail().contains("UID precondition"), refused.detail());
    }
}
