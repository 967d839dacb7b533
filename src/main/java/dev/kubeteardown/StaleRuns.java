package dev.kubeteardown;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which runs a sweep may sweep: those known to be finished, or started longer ago than {@code olderThan}; never
 * {@code protectedRun}. A run whose objects carry no readable start is stale only when named finished.
 */
record StaleRuns(Duration olderThan, Set<String> finishedRuns, String protectedRun) {

    private static final Logger LOG = LoggerFactory.getLogger(StaleRunSweep.class);

    StaleRuns {
        finishedRuns = Set.copyOf(finishedRuns);
        if (olderThan == null && finishedRuns.isEmpty()) {
            throw new IllegalArgumentException(
                    "a sweep needs olderThan(...) or finishedRuns(...): with neither, no run is stale");
        }
        if (olderThan != null && olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must be >= 0, was " + olderThan);
        }
    }

    /** The stale ones of {@code runs} (by id, with their start); {@code what} names the scope in the log. */
    Set<String> of(Map<String, Instant> runs, String what) {
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
}
