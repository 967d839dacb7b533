package dev.kubeteardown.sim;

import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The simulated backupstore (the S3/NFS side): which backup volumes and backups still have data. Deleting
 * a custom resource removes its data only when Longhorn would; the backupstore poll re-creates custom
 * resources from what is left here.
 */
final class RemoteBackupstore {

    record RemoteVolume(String namespace, String backupVolumeName, String volumeName, String target) {}

    record RemoteBackup(String namespace, String name, String volumeName, String target, String snapshotName) {}

    private final ConcurrentSkipListMap<String, RemoteVolume> volumes = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, RemoteBackup> backups = new ConcurrentSkipListMap<>();

    void put(RemoteVolume volume) {
        volumes.put(volume.backupVolumeName(), volume);
    }

    void put(RemoteBackup backup) {
        backups.put(backup.name(), backup);
    }

    void removeBackup(String name) {
        backups.remove(name);
    }

    /** Removes a backup volume's data: its own record and every backup of the same volume. */
    void removeVolume(String backupVolumeName, String volumeName) {
        volumes.remove(backupVolumeName);
        backups.values().removeIf(b -> b.volumeName().equals(volumeName));
    }

    Collection<RemoteVolume> volumes() {
        return volumes.values();
    }

    Collection<RemoteBackup> backups() {
        return backups.values();
    }
}
