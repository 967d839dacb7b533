package dev.kubeteardown.longhorn;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import io.kubernetes.client.openapi.ApiClient;

/**
 * Step one of Longhorn's teardown: deletes every {@code backupvolumes.longhorn.io} in scope and waits until they
 * are gone. Longhorn removes a backup volume's backups before releasing its finalizer, so when this returns clean
 * the backups of those volumes are gone too; failed backups without an owner may remain for {@link BackupCleanup}.
 *
 * <pre>{@code
 * BackupstoreCleanup.builder(client).build().run();
 * }</pre>
 */
public final class BackupstoreCleanup implements CleanupStep {

    private final Cleanup cleanup;

    private BackupstoreCleanup(Cleanup cleanup) {
        this.cleanup = cleanup;
    }

    /** Backup volumes in {@code longhorn-system}, API version {@code v1beta2}, unless told otherwise. */
    public static Builder builder(ApiClient client) {
        return new Builder(client);
    }

    @Override
    public CleanupReport execute() {
        return cleanup.execute();
    }

    @Override
    public String description() {
        return cleanup.description();
    }

    @Override
    public String toString() {
        return "BackupstoreCleanup[" + description() + "]";
    }

    /** Options for {@link BackupstoreCleanup}. */
    public static final class Builder extends LonghornCleanupBuilder<Builder> {

        Builder(ApiClient client) {
            super(client, "backupvolumes");
        }

        /** Checks the options (naming any bad value) and builds an immutable, reusable step. */
        public BackupstoreCleanup build() {
            return new BackupstoreCleanup(buildCleanup());
        }
    }
}
