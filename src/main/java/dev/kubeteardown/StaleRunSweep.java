package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    private final StaleRuns staleRuns;

    private StaleRunSweep(ApiClient client, CleanupSpec base, StaleRuns staleRuns) {
        this.client = client;
        this.base = base;
        this.staleRuns = staleRuns;
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
        return staleRuns.of(runs(), base.type().qualifiedName());
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

    /** Options of a sweep of one type: every cleanup option, plus which runs count as stale. */
    public static final class Builder extends SweepBuilder<Builder> {

        Builder(ApiClient client, ResourceType type) {
            super(client, Objects.requireNonNull(type, "type"), "default");
        }

        /** Checks the options (naming any bad value) and builds an immutable, reusable sweep. */
        public StaleRunSweep build() {
            return new StaleRunSweep(client(), spec(), staleRuns());
        }
    }
}
