package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The options of a sweep of leaked runs: every cleanup option, plus which runs count as stale.
 *
 * @param <B> the concrete builder
 */
public abstract class SweepBuilder<B extends SweepBuilder<B>> extends CleanupBuilder<B> {

    private Duration olderThan;
    private final Set<String> finishedRuns = new HashSet<>();
    private String protectedRun = RunLabels.current().id();

    SweepBuilder(ApiClient client, ResourceType type, String namespace) {
        super(client, type, namespace);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Runs that started longer ago than this are stale. */
    public B olderThan(Duration age) {
        this.olderThan = Objects.requireNonNull(age, "age");
        return self();
    }

    /** Runs known to be finished are stale whatever their age. */
    public B finishedRuns(Set<String> runIds) {
        finishedRuns.addAll(runIds);
        return self();
    }

    /** The run never swept; default {@link RunLabels#current()}. */
    public B protectRun(String runId) {
        this.protectedRun = runId;
        return self();
    }

    /** The stale-run options, checked (naming a bad one). */
    StaleRuns staleRuns() {
        return new StaleRuns(olderThan, finishedRuns, protectedRun);
    }
}
