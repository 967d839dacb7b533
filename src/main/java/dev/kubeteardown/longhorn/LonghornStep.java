package dev.kubeteardown.longhorn;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import java.time.Duration;
import java.util.List;

/** A Longhorn step is a named configuration of the engine: it delegates every run to its {@link Cleanup}. */
abstract class LonghornStep implements CleanupStep {

    private final Cleanup cleanup;

    LonghornStep(Cleanup cleanup) {
        this.cleanup = cleanup;
    }

    @Override
    public CleanupReport execute() {
        return cleanup.execute();
    }

    @Override
    public CleanupReport executeWithin(Duration budget) {
        return cleanup.executeWithin(budget);
    }

    @Override
    public String description() {
        return cleanup.description();
    }

    @Override
    public List<Cleanup> cleanups() {
        return List.of(cleanup);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + description() + "]";
    }
}
