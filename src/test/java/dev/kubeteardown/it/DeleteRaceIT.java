package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The list/delete race on a real API server: objects removed by someone else after the cleanup listed them, with
 * the real server's Status bodies (404 NotFound, 409 from the UID precondition).
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class DeleteRaceIT {

    private final RealApiServer server;
    private ItNamespace ns;

    DeleteRaceIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "race");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName(
            "backups deleted by a second client after the list are ALREADY_GONE with the server's 404 message; clean")
    void deleteRacing404IsAlreadyGone() throws Exception {
        List<ItNamespace.BackupSpec> specs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            specs.add(backup(String.format("race-%02d", i)).label("backup-volume", "vol-race"));
        }
        Set<String> all = new TreeSet<>(ns.createAll(specs, 6).keySet());

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        AtomicReference<String> first = new AtomicReference<>();
        Set<String> batch = new TreeSet<>();
        CountDownLatch batchDeleted = new CountDownLatch(1);
        log.before(request -> {
            if (!RequestLog.isDeleteOf(request, BACKUPS)) {
                return;
            }
            String name = RequestLog.objectName(request);
            if (first.compareAndSet(null, name)) {
                // the first DELETE: before it goes out, a second client deletes six others (after the cleanup's list)
                List<String> others =
                        all.stream().filter(n -> !n.equals(name)).limit(6).collect(Collectors.toList());
                for (String other : others) {
                    assertTrue(ns.delete(BACKUPS, other), other + " was there for the second client to delete");
                }
                synchronized (batch) {
                    batch.addAll(others);
                }
                batchDeleted.countDown();
            } else {
                assertTrue(batchDeleted.await(30, TimeUnit.SECONDS), "the second client finished its deletes");
            }
        });

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(30))
                .build()
                .run();

        assertEquals(List.of(), log.hookFailures());
        assertEquals(6, batch.size());
        assertEquals(12, report.outcomes().size(), report.table());
        assertEquals(batch, names(report, Outcome.Status.ALREADY_GONE), report.table());
        Set<String> deleted = new TreeSet<>(all);
        deleted.removeAll(batch);
        assertEquals(deleted, names(report, Outcome.Status.DELETED), report.table());
        for (Outcome o : report.outcomes(Outcome.Status.ALREADY_GONE)) {
            assertEquals(404, o.httpStatus(), o.toString());
            assertEquals(
                    "already removed: delete answered 404 Not Found (backups.longhorn.io \"" + o.name()
                            + "\" not found)",
                    o.detail(),
                    "the real server's Status message is quoted");
            assertEquals(1, o.attempts(), "a 404 is not retried: " + o);
        }
        assertTrue(report.isClean(), report.table());
        // every listed object got exactly one DELETE, racing or not
        Map<String, Long> deletes = log.deletesPerName(BACKUPS);
        assertEquals(all, deletes.keySet(), log.describe());
        assertTrue(deletes.values().stream().allMatch(n -> n == 1), deletes.toString());
        assertEquals(Set.of(), ns.names(BACKUPS));
    }

    @Test
    @DisplayName(
            "an object deleted and re-created under the same name after the list survives: 409 -> ALREADY_GONE with the old uid")
    void recreatedObjectSurvivesUidPrecondition() throws Exception {
        String oldUid = ItNamespace.uidOf(ns.create(backup("victim")));
        ns.create(backup("bystander-1"));
        ns.create(backup("bystander-2"));

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        AtomicReference<String> newUid = new AtomicReference<>();
        log.before(request -> {
            if (RequestLog.isDeleteOf(request, BACKUPS)
                    && RequestLog.objectName(request).equals("victim")
                    && newUid.get() == null) {
                // between the cleanup's list and its delete: someone deletes "victim" and creates a new one with that
                // name
                ns.delete(BACKUPS, "victim");
                newUid.set(ItNamespace.uidOf(ns.create(backup("victim").label("generation", "2"))));
            }
        });

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(30))
                .build()
                .run();

        assertEquals(List.of(), log.hookFailures());
        assertNotNull(newUid.get());
        assertNotEquals(oldUid, newUid.get());
        Outcome victim = report.outcomes().stream()
                .filter(o -> o.name().equals("victim"))
                .findFirst()
                .orElseThrow();
        assertEquals(Outcome.Status.ALREADY_GONE, victim.status(), report.table());
        assertEquals(409, victim.httpStatus(), victim.toString());
        assertEquals(oldUid, victim.uid(), "the report names the uid that was listed, not the new object's");
        assertTrue(victim.detail().contains("UID precondition no longer matches"), victim.detail());
        assertTrue(
                victim.detail()
                        .contains(
                                "409 Conflict: Operation cannot be fulfilled on Backup.longhorn.io \"victim\": the UID in"
                                        + " the precondition (" + oldUid + ") does not match the UID in record ("
                                        + newUid.get() + ")"),
                victim.detail());
        assertEquals(Set.of("bystander-1", "bystander-2"), names(report, Outcome.Status.DELETED), report.table());
        assertTrue(report.isClean(), report.table());

        // the DELETE carried the old uid as precondition, and the new object is untouched
        RequestLog.Sent delete = log.matching(RequestLog.delete(BACKUPS)).stream()
                .filter(s -> s.lastSegment().equals("victim"))
                .findFirst()
                .orElseThrow();
        assertTrue(delete.body().contains("\"uid\":\"" + oldUid + "\""), delete.body());
        assertEquals(409, delete.code());
        Map<String, Object> survivor =
                ns.get(BACKUPS, "victim").orElseThrow(() -> new AssertionError("victim is gone"));
        assertEquals(newUid.get(), ItNamespace.uidOf(survivor));
        assertEquals(null, ItNamespace.deletionTimestampOf(survivor), "the new object is not being deleted");
        assertEquals(1, log.deletesPerName(BACKUPS).get("victim"), "one DELETE for victim: 409 is final");
    }

    @Test
    @DisplayName(
            "deleteCustomResourceOnly: a backup deleted by someone else before its label patch is ALREADY_GONE (404 on PATCH)")
    void labelPatchOnGoneObjectIsAlreadyGone() throws Exception {
        ns.create(backup("gone-before-patch"));
        ns.create(backup("stays-to-be-deleted"));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        log.before(request -> {
            if (RequestLog.isPatchOf(request, BACKUPS)
                    && RequestLog.objectName(request).equals("gone-before-patch")) {
                ns.delete(BACKUPS, "gone-before-patch");
            }
        });

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .deleteCustomResourceOnly(true)
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(List.of(), log.hookFailures());
        Outcome gone = report.outcomes().stream()
                .filter(o -> o.name().equals("gone-before-patch"))
                .findFirst()
                .orElseThrow();
        assertEquals(Outcome.Status.ALREADY_GONE, gone.status(), report.table());
        assertEquals(404, gone.httpStatus());
        assertTrue(
                gone.detail()
                        .startsWith("labelling before delete: already removed: patch answered 404 Not Found"
                                + " (backups.longhorn.io \"gone-before-patch\" not found)"),
                gone.detail());
        assertEquals(Set.of("stays-to-be-deleted"), names(report, Outcome.Status.DELETED), report.table());
        RequestLog.Sent patch = log.matching(RequestLog.patch(BACKUPS)).stream()
                .filter(s -> s.lastSegment().equals("stays-to-be-deleted"))
                .findFirst()
                .orElseThrow();
        assertTrue(patch.body().contains("\"longhorn.io/delete-custom-resource-only\":\"true\""), patch.body());
        assertEquals(
                Map.of("stays-to-be-deleted", 1L), log.deletesPerName(BACKUPS), "no DELETE after a 404 on the label");
    }

    /**
     * The label patch of {@code deleteCustomResourceOnly(true)} carries the listed {@code metadata.uid} "so a real server
     * refuses it for a same-name replacement" (Deleter.labelPatch). A real 1.20 server refuses it indeed, but not with
     * 409: a merge patch that changes {@code metadata.uid} is a validation error, 422 Invalid ("field is immutable"),
     * which the classifier maps to FAILED. The delete path maps the same situation (409 from the UID precondition) to
     * ALREADY_GONE, so the same race gives a NOT CLEAN report here and {@code run()} throws.
     */
    @Test
    @DisplayName(
            "BUG: deleteCustomResourceOnly on an object re-created after the list: the new one survives and it is ALREADY_GONE")
    void recreatedObjectSurvivesLabelPatch() throws Exception {
        String oldUid = ItNamespace.uidOf(ns.create(backup("victim")));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        AtomicReference<String> newUid = new AtomicReference<>();
        log.before(request -> {
            if (RequestLog.isPatchOf(request, BACKUPS) && newUid.get() == null) {
                ns.delete(BACKUPS, "victim");
                newUid.set(ItNamespace.uidOf(ns.create(backup("victim"))));
            }
        });

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .deleteCustomResourceOnly(true)
                .timeout(Duration.ofSeconds(20))
                .build()
                .execute();

        assertEquals(List.of(), log.hookFailures());
        Map<String, Object> survivor =
                ns.get(BACKUPS, "victim").orElseThrow(() -> new AssertionError("victim is gone"));
        assertEquals(newUid.get(), ItNamespace.uidOf(survivor), "the re-created object survived");
        assertEquals(
                null,
                ItNamespace.labelsOf(survivor).get("longhorn.io/delete-custom-resource-only"),
                "the re-created object was not labelled");
        assertEquals(Map.of(), log.deletesPerName(BACKUPS), "no DELETE after the refused label patch");
        Outcome victim = report.outcomes().get(0);
        assertEquals(oldUid, victim.uid());
        assertEquals(
                Outcome.Status.ALREADY_GONE,
                victim.status(),
                victim + " (PATCH answered "
                        + log.matching(RequestLog.patch(BACKUPS)).get(0).code() + ")");
        assertTrue(report.isClean(), report.table());
    }

    static Set<String> names(CleanupReport report, Outcome.Status status) {
        return report.outcomes(status).stream().map(Outcome::name).collect(Collectors.toCollection(TreeSet::new));
    }
}
