package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.StaleRunSweep;
import dev.kubeteardown.longhorn.Longhorn;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leaks of killed runs on a real server: the run labels and the stale-run sweep, selected by the server. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class StaleRunSweepIT {

    private final RealApiServer server;
    private ItNamespace ns;

    StaleRunSweepIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "sweep");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName("the sweep deletes only labelled objects of stale runs: recent, current and unlabelled objects stay")
    void sweepRemovesOnlyStaleLabelledRuns() throws Exception {
        RunLabels old = RunLabels.of("run-old", Instant.now().minus(Duration.ofHours(3)));
        RunLabels finished = RunLabels.of("run-finished", Instant.now().minus(Duration.ofMinutes(1)));
        RunLabels recent = RunLabels.of("run-recent", Instant.now().minus(Duration.ofMinutes(5)));
        RunLabels currentButOld =
                RunLabels.of(RunLabels.current().id(), Instant.now().minus(Duration.ofDays(1)));
        ns.create(backup("old-1").labels(old.labels()));
        ns.create(backup("old-2").labels(old.labels()).finalizer(ItNamespace.FINALIZER));
        ns.create(backup("finished-1").labels(finished.labels()));
        ns.create(backup("recent-1").labels(recent.labels()));
        ns.create(backup("current-1").labels(currentButOld.labels()));
        ns.create(backup("unlabelled"));
        ns.create(backup("started-only").label(RunLabels.STARTED_LABEL, "1"));
        ns.create(backup("other-run-key").label("kube-teardown.dev/runner", "run-old"));

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        RealServerLonghornController controller =
                RealServerLonghornController.start(ns, Duration.ofMillis(100), Duration.ofMillis(100));
        StaleRunSweep sweep = StaleRunSweep.builder(client, Longhorn.backups("v1beta2"))
                .namespace(ns.name())
                .olderThan(Duration.ofHours(1))
                .finishedRuns(Set.of("run-finished"))
                .timeout(Duration.ofSeconds(20))
                .build();
        List<CleanupReport> reports;
        try {
            assertEquals(
                    Set.of(
                            "run-old",
                            "run-finished",
                            "run-recent",
                            RunLabels.current().id()),
                    sweep.runs().keySet());
            assertEquals(Set.of("run-old", "run-finished"), sweep.staleRuns());
            reports = sweep.sweep();
        } finally {
            controller.close();
        }
        RealServerLonghornController.requireNoErrors(controller);

        assertEquals(2, reports.size(), reports.toString());
        CleanupReport finishedReport = reports.get(0);
        CleanupReport oldReport = reports.get(1);
        assertEquals(
                Set.of("finished-1"),
                DeleteRaceIT.names(finishedReport, Outcome.Status.DELETED),
                finishedReport.table());
        assertEquals(
                Set.of("old-1", "old-2"), DeleteRaceIT.names(oldReport, Outcome.Status.DELETED), oldReport.table());
        assertTrue(oldReport.scope().contains("labels " + RunLabels.RUN_LABEL + "=run-old"), oldReport.scope());
        assertEquals(Set.of("recent-1", "current-1", "unlabelled", "started-only", "other-run-key"), ns.names(BACKUPS));
        // the server did the selecting: every list carried a run-label selector, and only stale objects got a DELETE
        for (RequestLog.Sent list : log.matching(RequestLog.list(BACKUPS))) {
            assertTrue(list.query("labelSelector").startsWith(RunLabels.RUN_LABEL), list.toString());
        }
        assertEquals(Map.of("finished-1", 1L, "old-1", 1L, "old-2", 1L), log.deletesPerName(BACKUPS));
    }
}
