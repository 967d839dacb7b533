package dev.kubeteardown.longhorn;

import dev.kubeteardown.Cleanup;
import io.kubernetes.client.openapi.ApiClient;

/**
 * Step one of Longhorn's teardown: deletes every {@code backupvolumes.longhorn.io} in scope and waits until they
 * are gone. Longhorn then deletes the volumes' backups asynchronously (from 1.8 through their owner references and
 * the garbage collector), so backups may still be disappearing when this returns: {@link BackupCleanup}, run next,
 * counts the ones it loses that race for as {@code ALREADY_GONE} and removes the rest, failed backups without an
 * owner included.
 *
 * <p>Its report does not count the backups that went with the volumes: the cascade goes on after this step
 * returns, so a count taken here would be wrong, and an exact one would cost a full list of backups before and
 * after. {@link BackupCleanup}'s {@code ALREADY_GONE} count is where they show up.
 *
 * <pre>{@code
 * BackupstoreCleanup.builder(client).build().run();
 * }</pre>
 */
public final class BackupstoreCleanup extends LonghornStep {

    private BackupstoreCleanup(Cleanup cleanup) {
        super(cleanup);
    }

    /** Backup volumes in {@code longhorn-system}, API version {@code v1beta2}, unless told otherwise. */
    public static Builder builder(ApiClient client) {
        return new Builder(client);
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
