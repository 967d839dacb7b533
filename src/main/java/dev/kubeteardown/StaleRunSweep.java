package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what killed test runs leaked: objects of one resource type that carry {@link RunLabels#RUN_LABEL} and
 * belong to a run that is finished or started longer ago than a given age. Objects without the run label are never
 * touched (the discovery list selects on the label, and the label is checked again client-side), and the current
 * run is never swept.
 *
 * <pre>{@code
 * StaleRunSweep.builder(client, Longhorn.backups("v1beta2")).olderThan(Duration.ofHours(2)).build().sweep();
 * }</pre>
 */
public final class StaleRunSweep implements CleanupStep {

    private static final Logger LOG = LoggerFactory.getLogger(StaleRunSweep.class);

    private final ApiClient client;
    private final CleanupSpec base;
    private final Duration olderThan;
    private final Set<String> finishedRuns;
    private final String protectedRun;

    private StaleRunSweep(
            ApiClient client, CleanupSpec base, Duration olderThan, Set<String> finishedRuns, String protectedRun) {
        this.client = client;
        this.base = base;
        this.olderThan = olderThan;
        this.finishedRuns = Set.copyOf(finishedRuns);
        this.protectedRun = protectedRun;
    }

    /** A sweep of one resource type; namespace {@code default} unless told otherwise. */
    public static Builder builder(ApiClient client, ResourceType type) {
        return new Builder(client, type);
    }

    /**
     * A sweep of every served type that can be listed and deleted, found by discovery, in all namespaces and at
     * cluster scope unless told a namespace; see {@link AllTypesSweep}.
     */
    public static AllTypesSweep.Builder allTypes(ApiClient client) {
        return new AllTypesSweep.Builder(client);
    }

    /**
     * The runs found in scope, by run id, with the earliest start time their objects carry; {@link Instant#MAX}
     * when none of a run's objects carries a readable {@link RunLabels#STARTED_LABEL}.
     */
    public Map<String, Instant> runs() {
        Map<String, Instant> runs = new TreeMap<>();
        CleanupSpec discovery = base.narrowedBy(LabelSelector.parse(RunLabels.RUN_LABEL));
        ScopeScan.scan(discovery, client, (ref, labels) -> {
            String run = labels.get(RunLabels.RUN_LABEL);
            runs.merge(run, started(labels), (a, b) -> a.isBefore(b) ? a : b);
        });
        return runs;
    }

    /** The runs that are stale now. */
    public Set<String> staleRuns() {
        return stale(runs(), olderThan, finishedRuns, protectedRun, base.type().qualifiedName());
    }

    /**
     * Which of {@code runs} (by id, with their start) are stale: finished, or started before {@code olderThan} ago;
     * never {@code protectedRun}. Shared with {@link AllTypesSweep}.
     */
    static Set<String> stale(
            Map<String, Instant> runs, Duration olderThan, Set<String> finishedRuns, String protectedRun, String what) {
        Instant cutoff = olderThan == null ? null : Instant.now().minus(olderThan);
        Set<String> stale = new HashSet<>();
        runs.forEach((run, started) -> {
            if (run.equals(protectedRun)) {
                return;
            }
            if (finishedRuns.contains(run) || (cutoff != null && started.isBefore(cutoff))) {
                stale.add(run);
            } else if (cutoff != null && started.equals(Instant.MAX)) {
                LOG.warn(
                        "Not sweeping run {} of {} by age: its objects carry no readable {} label",
                        run,
                        what,
                        RunLabels.STARTED_LABEL);
            }
        });
        return stale;
    }

    /** {@link #sweep()} as one report (empty when nothing is stale), so a sweep can be a step like any other. */
    @Override
    public CleanupReport execute() {
        List<CleanupReport> reports = sweep();
        return reports.isEmpty()
                ? new CleanupReport(
                        base.type().toString(), base.scopeDescription() + ", stale runs", List.of(), Duration.ZERO)
                : CleanupReport.combine(reports);
    }

    @Override
    public String description() {
        return "stale runs of " + base.description();
    }

    /** Cleans every stale run; one report per run (none when nothing is stale). */
    public List<CleanupReport> sweep() {
        List<CleanupReport> reports = new ArrayList<>();
        for (String run : new TreeSet<>(staleRuns())) {
            LOG.info("Sweeping {} of stale run {}", base.type().qualifiedName(), run);
            CleanupSpec spec = base.narrowedBy(LabelSelector.parse(RunLabels.RUN_LABEL + "=" + run));
            reports.add(CleanupRun.execute(spec, client));
        }
        return reports;
    }

    /** When a run's object says the run started; {@link Instant#MAX} when it does not say. */
    static Instant started(Map<String, String> labels) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(labels.getOrDefault(RunLabels.STARTED_LABEL, "")));
        } catch (NumberFormatException e) {
            // unknown start: the run may be alive, so no age makes it stale (only finishedRuns(...) does)
            return Instant.MAX;
        }
    }

    static void checkStaleness(Duration olderThan, Set<String> finishedRuns) {
        if (olderThan == null && finishedRuns.isEmpty()) {
            throw new IllegalArgumentException(
                    "a sweep needs olderThan(...) or finishedRuns(...): with neither, no run is stale");
        }
        if (olderThan != null && olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must be >= 0, was " + olderThan);
        }
    }

    /** Options of a sweep: every cleanup option, plus which runs count as stale. */
    public static final class Builder extends CleanupBuilder<Builder> {

        private Duration olderThan;
        private final Set<String> finishedRuns = new HashSet<>();
        private String protectedRun = RunLabels.current().id();

        Builder(ApiClient client, ResourceType type) {
            super(client, Objects.requireNonNull(type, "type"), "default");
        }

        /** Runs that started longer ago than this are stale. */
        public Builder olderThan(Duration age) {
            this.olderThan = Objects.requireNonNull(age, "age");
            return this;
        }

        /** Runs known to be finished are stale whatever their age. */
        public Builder finishedRuns(Set<String> runIds) {
            finishedRuns.addAll(runIds);
            return this;
        }

        /** The run never swept; default {@link RunLabels#current()}. */
        public Builder protectRun(String runId) {
            this.protectedRun = runId;
            return this;
        }

        public StaleRunSweep build() {
            checkStaleness(olderThan, finishedRuns);
            return new StaleRunSweep(client(), spec(), olderThan, finishedRuns, protectedRun);
        }
    }
}
