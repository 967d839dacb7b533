package dev.kubeteardown;

import java.time.Duration;
import java.util.List;

/**
 * One configured, reusable cleanup: a resource type in a scope with its options.
 *
 * <p>Implementations are immutable and thread-safe; each call runs a fresh cleanup.
 */
public interface CleanupStep {

    /**
     * Attempts every object in scope and returns the report. Per-object problems are outcomes, never exceptions.
     *
     * @throws CleanupConfigurationException when the run cannot start (unreachable server, refused credentials,
     *                                       forbidden list, a required resource type or namespace missing)
     * @throws CleanupInterruptedException   when the calling thread is interrupted (carries the partial report)
     */
    CleanupReport execute();

    /**
     * {@link #execute()}, finished within {@code budget} where the step can: the engine's steps shorten their
     * timeout to it. A {@link CleanupPlan} runs each step this way with the time the plan has left. Steps that cannot
     * honour a budget run as {@link #execute()} does.
     */
    default CleanupReport executeWithin(Duration budget) {
        return execute();
    }

    /**
     * {@link #execute()}, then throws when the report is not clean.
     *
     * @throws CleanupFailedException when an object is {@code FAILED} or {@code STUCK}; it carries the report
     */
    default CleanupReport run() {
        return execute().throwIfNotClean();
    }

    /** What this step cleans, in words, e.g. {@code backups.longhorn.io/v1beta2 in namespace longhorn-system}. */
    String description();

    /**
     * The engine cleanups this step runs, in order, so that a check after it can look at the same scopes (see
     * {@link CleanupPlan.Builder#verifyAfter(java.time.Duration)}); empty when the step is not made of them.
     */
    default List<Cleanup> cleanups() {
        return List.of();
    }
}
