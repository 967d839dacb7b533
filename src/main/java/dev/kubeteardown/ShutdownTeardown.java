package dev.kubeteardown;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs cleanup steps when the JVM shuts down - Ctrl-C, SIGTERM from a CI runner, or a normal exit - so a suite
 * that is stopped halfway still tears down. Steps run in order; each runs even if an earlier one failed, and each
 * report is logged. A JVM killed with SIGKILL runs no hook: that is what {@link RunLabels} and
 * {@link StaleRunSweep} are for.
 */
public final class ShutdownTeardown {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownTeardown.class);

    private ShutdownTeardown() {}

    /** A registered hook; {@link #close()} removes it (for example once the suite tore down normally). */
    public static final class Registration implements AutoCloseable {
        private final Thread hook;

        private Registration(Thread hook) {
            this.hook = hook;
        }

        /** Unregisters the hook; harmless once the JVM is already shutting down. */
        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: nothing left to remove
            }
        }
    }

    /** Registers the steps to run, in this order, at JVM shutdown. */
    public static Registration register(CleanupStep... steps) {
        List<CleanupStep> ordered = List.of(steps);
        ordered.forEach(s -> Objects.requireNonNull(s, "step"));
        Thread hook = new Thread(() -> runAll(ordered), "kube-teardown-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return new Registration(hook);
    }

    static void runAll(List<CleanupStep> steps) {
        for (CleanupStep step : steps) {
            try {
                CleanupReport report = step.execute();
                LOG.info("shutdown teardown: {}", report.summary());
            } catch (RuntimeException e) {
                LOG.error("shutdown teardown of {} failed: {}", step.description(), e.getMessage(), e);
            }
        }
    }
}
