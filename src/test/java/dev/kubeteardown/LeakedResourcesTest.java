package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.MockCluster;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Leaks from killed runs: run labels, the stale-run sweep, and the shutdown hook. */
class LeakedResourcesTest {

    static final ResourceType BACKUPS = CleanupEngineTest.BACKUPS;
    static final String NS = "suite";

    MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    void createForRun(String name, RunLabels run) {
        cluster.create(BACKUPS, NS, name, run.labels(), List.of());
    }

    @Test
    @DisplayName(
            "the sweep removes objects of runs older than the age, keeps recent runs, the current run and unlabelled objects")
    void sweepRemovesOnlyStaleLabelledRuns() {
        RunLabels old = RunLabels.of("run-old", Instant.now().minus(Duration.ofHours(3)));
        RunLabels recent = RunLabels.of("run-recent", Instant.now().minus(Duration.ofMinutes(5)));
        RunLabels ancientButCurrent =
                RunLabels.of(RunLabels.current().id(), Instant.now().minus(Duration.ofDays(1)));
        createForRun("old-1", old);
        createForRun("old-2", old);
        createForRun("recent-1", recent);
        createForRun("current-1", ancientButCurrent);
        cluster.create(BACKUPS, NS, "unlabelled", Map.of(), List.of());
        cluster.create(BACKUPS, NS, "other-label", Map.of("kube-teardown.dev/run-started", "1"), List.of());

        StaleRunSweep sweep = StaleRunSweep.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .olderThan(Duration.ofHours(1))
                .build();
        assertEquals(
                Set.of("run-old", "run-recent", RunLabels.current().id()),
                sweep.runs().keySet());
        assertEquals(Set.of("run-old"), sweep.staleRuns());
        List<CleanupReport> reports = sweep.sweep();
        assertEquals(1, reports.size());
        assertEquals(
                2, reports.get(0).count(Outcome.Status.DELETED), reports.get(0).table());
        assertFalse(cluster.exists(BACKUPS, NS, "old-1"));
        assertFalse(cluster.exists(BACKUPS, NS, "old-2"));
        for (String kept : List.of("recent-1", "current-1", "unlabelled", "other-label")) {
            assertTrue(cluster.exists(BACKUPS, NS, kept), kept + " is kept");
        }
    }

    @Test
    @DisplayName("the sweep narrows the user's label selector by the run label, never replaces it")
    void sweepKeepsTheUsersSelector() {
        RunLabels old = RunLabels.of("run-old", Instant.now().minus(Duration.ofHours(3)));
        Map<String, String> mine = new HashMap<>(old.labels());
        mine.put("app", "mine");
        Map<String, String> theirs = new HashMap<>(old.labels());
        theirs.put("app", "theirs");
        cluster.create(BACKUPS, NS, "mine", mine, List.of());
        cluster.create(BACKUPS, NS, "theirs", theirs, List.of());

        List<CleanupReport> reports = StaleRunSweep.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .labelSelector("app=mine")
                .olderThan(Duration.ofHours(1))
                .build()
                .sweep();
        assertEquals(1, reports.size());
        assertEquals(1, reports.get(0).outcomes().size(), reports.get(0).table());
        assertFalse(cluster.exists(BACKUPS, NS, "mine"));
        assertTrue(cluster.exists(BACKUPS, NS, "theirs"), "outside the user's selector");
    }

    @Test
    @DisplayName("a run whose start time is unknown is not stale by age, only when named finished")
    void unknownStartIsNotStaleByAge() {
        cluster.create(BACKUPS, NS, "no-start", Map.of(RunLabels.RUN_LABEL, "run-unknown"), List.of());
        cluster.create(
                BACKUPS,
                NS,
                "bad-start",
                Map.of(RunLabels.RUN_LABEL, "run-bad", RunLabels.STARTED_LABEL, "soon"),
                List.of());
        StaleRunSweep byAge = StaleRunSweep.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .olderThan(Duration.ZERO)
                .build();
        assertEquals(Set.of("run-unknown", "run-bad"), byAge.runs().keySet());
        assertEquals(Set.of(), byAge.staleRuns());
        assertTrue(byAge.sweep().isEmpty());
        assertTrue(cluster.exists(BACKUPS, NS, "no-start"));

        StaleRunSweep.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .finishedRuns(Set.of("run-unknown"))
                .build()
                .sweep();
        assertFalse(cluster.exists(BACKUPS, NS, "no-start"));
        assertTrue(cluster.exists(BACKUPS, NS, "bad-start"));
    }

    @Test
    @DisplayName("a finished run is swept whatever its age; a sweep with no rule is refused")
    void finishedRunsAreSwept() {
        createForRun("done-1", RunLabels.of("run-done", Instant.now()));
        createForRun("live-1", RunLabels.of("run-live", Instant.now()));
        StaleRunSweep.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .finishedRuns(Set.of("run-done"))
                .build()
                .sweep();
        assertFalse(cluster.exists(BACKUPS, NS, "done-1"));
        assertTrue(cluster.exists(BACKUPS, NS, "live-1"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> StaleRunSweep.builder(cluster.client(), BACKUPS).build());
        assertTrue(e.getMessage().contains("needs olderThan"), e.getMessage());
    }

    @Test
    void runLabelsStampMetadata() {
        RunLabels run = RunLabels.of("run-1", Instant.ofEpochSecond(1_700_000_000L));
        Map<String, String> existing = new HashMap<>(Map.of("app", "x"));
        V1ObjectMeta meta = run.stamp(new V1ObjectMeta().labels(existing));
        assertEquals(
                Map.of("app", "x", RunLabels.RUN_LABEL, "run-1", RunLabels.STARTED_LABEL, "1700000000"),
                meta.getLabels());
        assertEquals("kube-teardown.dev/run=run-1", run.selector());
        assertThrows(IllegalArgumentException.class, () -> RunLabels.of("not a label value!", Instant.now()));
    }

    @Test
    @DisplayName("SIGTERM to a suite's JVM runs the registered teardown")
    void shutdownHookRunsTeardownOnSigterm() throws Exception {
        cluster.create(BACKUPS, NS, "leaked-1");
        cluster.create(BACKUPS, NS, "leaked-2");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ShutdownHookChild.class.getName(),
                        cluster.url().replaceAll("/$", ""),
                        NS)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // skip log lines until the child has registered its hook
            }
            assertEquals("ready", line, "the child registered its shutdown teardown");
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child exited after its teardown");
        } finally {
            child.destroyForcibly();
        }
        assertEquals(0, cluster.countObjects(BACKUPS, NS), "the hook deleted what the suite left");
    }
}
