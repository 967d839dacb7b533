package dev.kubeteardown.junit;

import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import java.util.List;

/**
 * Longhorn's teardown order as steps: backup volumes first (Longhorn deletes their backups and the backupstore
 * data before releasing them), then whatever backups remain (failed backups without a volume).
 */
final class LonghornSteps {

    /** Backup volumes, then backups, each with its defaults (namespace {@code longhorn-system}). */
    static final List<DeclaredStep> DEFAULTS = List.of(
            DeclaredStep.of(
                    (StepFactory) client -> BackupstoreCleanup.builder(client).build()),
            DeclaredStep.of(
                    (StepFactory) client -> BackupCleanup.builder(client).build()));

    private LonghornSteps() {}
}
