package dev.kubeteardown.sim;

import java.util.List;
import java.util.Map;

/**
 * The names seeding produced, so that tests can assert on exactly those objects.
 *
 * @param volumes Longhorn volume names, in order
 * @param backupVolumes BackupVolume names, in the order of {@code volumes}
 * @param backups completed Backup names, volume by volume
 * @param backupsByVolume completed Backup names per volume name
 * @param failedBackups Backup names in state {@code Error}, without owners
 * @param stuckBackups completed Backups whose finalizer is never released (a subset of {@code backups})
 * @param systemBackups SystemBackup names
 * @param backupBackingImages BackupBackingImage names
 */
public record SeededBackupstore(
        List<String> volumes,
        List<String> backupVolumes,
        List<String> backups,
        Map<String, List<String>> backupsByVolume,
        List<String> failedBackups,
        List<String> stuckBackups,
        List<String> systemBackups,
        List<String> backupBackingImages) {

    static final SeededBackupstore NONE = new SeededBackupstore(
            List.of(), List.of(), List.of(), Map.of(), List.of(), List.of(), List.of(), List.of());

    public SeededBackupstore {
        volumes = List.copyOf(volumes);
        backupVolumes = List.copyOf(backupVolumes);
        backups = List.copyOf(backups);
        backupsByVolume = Map.copyOf(backupsByVolume);
        failedBackups = List.copyOf(failedBackups);
        stuckBackups = List.copyOf(stuckBackups);
        systemBackups = List.copyOf(systemBackups);
        backupBackingImages = List.copyOf(backupBackingImages);
    }

    /** Every seeded Backup: completed (including stuck) and failed. */
    public int backupCount() {
        return backups.size() + failedBackups.size();
    }
}
