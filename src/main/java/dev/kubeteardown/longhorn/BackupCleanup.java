package dev.kubeteardown.longhorn;

import dev.kubeteardown.Cleanup;
import io.kubernetes.client.openapi.ApiClient;

/**
 * Step two of Longhorn's teardown: deletes every remaining {@code backups.longhorn.io} in scope. A backup that
 * Longhorn removed between this step's list and its delete (it deletes a volume's backups asynchronously after
 * the volume goes) is {@code ALREADY_GONE}, never an error; every other error still surfaces.
 *
 * <pre>{@code
 * BackupCleanup.builder(client).labelSelector("backup-volume=vol-1").build().run();
 * }</pre>
 */
public final class BackupCleanup extends LonghornStep {

    private BackupCleanup(Cleanup cleanup) {
        super(cleanup);
    }

    /** Backups in {@code longhorn-system}, API version {@code v1beta2}, unless told otherwise. */
    public static Builder builder(ApiClient client) {
        return new Builder(client);
    }

    /** Options for {@link BackupCleanup}. */
    public static final class Builder extends LonghornCleanupBuilder<Builder> {

        Builder(ApiClient client) {
            super(client, "backups");
        }

        /** Checks the options (naming any bad value) and builds an immutable, reusable step. */
        public BackupCleanup build() {
            return new BackupCleanup(buildCleanup());
        }
    }
}
