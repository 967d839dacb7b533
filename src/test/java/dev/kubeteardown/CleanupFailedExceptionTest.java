package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A report that is not clean: its exception, summary, table and JSON name every problem. */
class CleanupFailedExceptionTest {

    @Test
    @DisplayName("the exception lists every FAILED/STUCK object sorted by namespace and name, each also suppressed")
    void failedExceptionListsProblemsSorted() {
        List<Outcome> outcomes = List.of(
                outcome("ns-b", "z", Outcome.Status.FAILED, "403 Forbidden: no"),
                outcome("ns-a", "y", Outcome.Status.DELETED, ""),
                outcome("ns-a", "x", Outcome.Status.STUCK, "finalizers [longhorn.io]"),
                outcome("ns-a", "w", Outcome.Status.ALREADY_GONE, "404"));
        CleanupReport report =
                new CleanupReport("backups.longhorn.io/v1beta2", "all namespaces", outcomes, Duration.ofMillis(1500));
        assertFalse(report.isClean());
        CleanupFailedException e = assertThrows(CleanupFailedException.class, report::throwIfNotClean);
        assertEquals(
                "Cleanup of backups.longhorn.io/v1beta2 in all namespaces is not clean: 2 objects FAILED or STUCK\n"
                        + "  STUCK backups.longhorn.io ns-a/x: finalizers [longhorn.io]\n"
                        + "  FAILED backups.longhorn.io ns-b/z: 403 Forbidden: no\n"
                        + "(see suppressed exceptions for details)",
                e.getMessage());
        assertEquals(2, e.getSuppressed().length);
        assertEquals(
                "backups.longhorn.io/v1beta2 in all namespaces: 4 objects, DELETED=1 ALREADY_GONE=1 STUCK=1 FAILED=1 in 1.50 s, NOT CLEAN",
                report.summary());
        assertTrue(report.table().contains("STUCK        ns-a/x"), report.table());
        assertTrue(report.toJson().contains("\"status\": \"STUCK\""), report.toJson());
        assertEquals(1L, report.counts().get(Outcome.Status.FAILED));
        assertEquals(0L, report.counts().get(Outcome.Status.WOULD_DELETE));
    }

    static Outcome outcome(String ns, String name, Outcome.Status status, String detail) {
        return new Outcome(
                "backups.longhorn.io",
                ns,
                name,
                "uid-" + name,
                status,
                detail,
                1,
                Duration.ZERO,
                0,
                status == Outcome.Status.STUCK ? List.of("longhorn.io") : List.of(),
                null);
    }
}
