package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupListener;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import dev.kubeteardown.longhorn.LonghornCleanupBuilder;
import io.kubernetes.client.openapi.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs the Longhorn teardown as Longhorn's suite does - backup volumes, then backups - and returns the reports; it
 * prints nothing itself. Shared by {@code demo} and {@code longhorn}.
 */
final class LonghornTeardown {

    /** Options both steps share, applied to each step's builder. */
    interface Options {
        <B extends LonghornCleanupBuilder<B>> B apply(B builder);
    }

    private final ApiClient client;
    private final Options options;

    LonghornTeardown(ApiClient client, Options options) {
        this.client = client;
        this.options = options;
    }

    /**
     * Runs both steps in Longhorn's order; each runs even if the first was not clean.
     *
     * @param progress what to show of each step while it runs, by the step's label
     * @throws InterruptedRun when the thread is interrupted, with the reports so far
     */
    List<CleanupReport> run(Function<String, StepProgress> progress) {
        List<CleanupReport> reports = new ArrayList<>();
        try {
            reports.add(step(
                    progress.apply("backupvolumes"),
                    listener -> options.apply(BackupstoreCleanup.builder(client))
                            .listener(listener)
                            .build()));
            reports.add(step(
                    progress.apply("backups"),
                    listener -> options.apply(BackupCleanup.builder(client))
                            .listener(listener)
                            .build()));
        } catch (CleanupInterruptedException e) {
            throw InterruptedRun.of(reports, e);
        }
        return List.copyOf(reports);
    }

    private static CleanupReport step(StepProgress progress, Function<CleanupListener, CleanupStep> build) {
        try (progress) { // closed even when building the step fails: a display leaves no thread behind
            return build.apply(progress).execute();
        }
    }
}
