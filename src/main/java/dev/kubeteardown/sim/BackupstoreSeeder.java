package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.LonghornResources.DEFAULT_BACKUP_TARGET;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a {@link BackupstoreSpec} straight into the store (no HTTP, so 10,000 objects take well under a
 * second) and records the matching backupstore data. All randomness comes from one {@link Random} seeded
 * by the spec, consumed in a fixed order.
 */
final class BackupstoreSeeder {

    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String NAMESPACE = LonghornResources.NAMESPACE;

    private final ObjectStore store;
    private final RemoteBackupstore remote;
    private final Set<String> stuck;

    BackupstoreSeeder(ObjectStore store, RemoteBackupstore remote, Set<String> stuck) {
        this.store = store;
        this.remote = remote;
        this.stuck = stuck;
    }

    SeededBackupstore seed(BackupstoreSpec spec) {
        Random random = new Random(spec.seed());
        Set<String> names = new HashSet<>();
        Map<String, String> labels = spec.labels();
        if (store.get(LonghornResources.BACKUP_TARGETS, NAMESPACE, DEFAULT_BACKUP_TARGET) == null) {
            insert(
                    LonghornResources.BACKUP_TARGETS,
                    LonghornObjects.backupTarget(NAMESPACE, DEFAULT_BACKUP_TARGET, labels, uuid(random)));
        }
        int width = Integer.toString(Math.max(1, Math.max(spec.volumes(), spec.failedBackups())) - 1)
                .length();
        List<String> volumes = new ArrayList<>();
        List<String> backupVolumes = new ArrayList<>();
        List<String> backups = new ArrayList<>();
        Map<String, List<String>> backupsByVolume = new LinkedHashMap<>();
        for (int v = 0; v < spec.volumes(); v++) {
            String volume = spec.volumePrefix() + "-" + pad(v, width);
            String backupVolumeName = unique(names, random, volume + "-", 8, ID_ALPHABET);
            List<String> volumeBackups = new ArrayList<>();
            List<String> snapshots = new ArrayList<>();
            for (int b = 0; b < spec.backupsPerVolume(); b++) {
                volumeBackups.add(unique(names, random, "backup-", 16, "0123456789abcdef"));
                snapshots.add(UUID.nameUUIDFromBytes(volumeBackups.get(b).getBytes(StandardCharsets.UTF_8))
                        .toString());
            }
            String lastBackup = volumeBackups.isEmpty() ? null : volumeBackups.get(volumeBackups.size() - 1);
            StoredObject backupVolume = insert(
                    LonghornResources.BACKUP_VOLUMES,
                    LonghornObjects.backupVolume(
                            NAMESPACE,
                            backupVolumeName,
                            volume,
                            DEFAULT_BACKUP_TARGET,
                            labels,
                            uuid(random),
                            lastBackup));
            remote.put(new RemoteBackupstore.RemoteVolume(NAMESPACE, backupVolumeName, volume, DEFAULT_BACKUP_TARGET));
            for (int b = 0; b < volumeBackups.size(); b++) {
                String name = volumeBackups.get(b);
                insert(
                        LonghornResources.BACKUPS,
                        LonghornObjects.backup(
                                NAMESPACE,
                                name,
                                volume,
                                DEFAULT_BACKUP_TARGET,
                                labels,
                                backupVolume,
                                "Completed",
                                uuid(random),
                                snapshots.get(b)));
                remote.put(new RemoteBackupstore.RemoteBackup(
                        NAMESPACE, name, volume, DEFAULT_BACKUP_TARGET, snapshots.get(b)));
            }
            volumes.add(volume);
            backupVolumes.add(backupVolumeName);
            backups.addAll(volumeBackups);
            backupsByVolume.put(volume, List.copyOf(volumeBackups));
        }
        List<String> failed = new ArrayList<>();
        for (int f = 0; f < spec.failedBackups(); f++) {
            boolean volumeExists = f % 2 == 0 && !volumes.isEmpty();
            String volume = volumeExists
                    ? volumes.get(random.nextInt(volumes.size()))
                    : spec.volumePrefix() + "-gone-" + pad(f, width);
            String name = unique(names, random, "backup-", 16, "0123456789abcdef");
            insert(
                    LonghornResources.BACKUPS,
                    LonghornObjects.backup(
                            NAMESPACE,
                            name,
                            volume,
                            DEFAULT_BACKUP_TARGET,
                            labels,
                            null,
                            "Error",
                            uuid(random),
                            "snapshot-" + f));
            failed.add(name);
        }
        List<String> shuffled = new ArrayList<>(backups);
        Collections.shuffle(shuffled, random);
        List<String> stuckNames = List.copyOf(shuffled.subList(0, spec.stuckBackups()));
        stuck.addAll(stuckNames);
        List<String> systemBackups = new ArrayList<>();
        for (int s = 0; s < spec.systemBackups(); s++) {
            String name = unique(names, random, "system-backup-", 8, ID_ALPHABET);
            insert(
                    LonghornResources.SYSTEM_BACKUPS,
                    LonghornObjects.systemBackup(NAMESPACE, name, labels, uuid(random)));
            systemBackups.add(name);
        }
        List<String> backingImages = new ArrayList<>();
        for (int i = 0; i < spec.backupBackingImages(); i++) {
            String name = unique(names, random, "bbi-", 8, ID_ALPHABET);
            insert(
                    LonghornResources.BACKUP_BACKING_IMAGES,
                    LonghornObjects.backupBackingImage(
                            NAMESPACE, name, "image-" + pad(i, width), DEFAULT_BACKUP_TARGET, labels, uuid(random)));
            backingImages.add(name);
        }
        return new SeededBackupstore(
                volumes, backupVolumes, backups, backupsByVolume, failed, stuckNames, systemBackups, backingImages);
    }

    private StoredObject insert(ApiResource resource, ObjectNode object) {
        return store.create(resource, NAMESPACE, object, ObjectStore.Origin.SYSTEM, false);
    }

    private static String unique(Set<String> taken, Random random, String prefix, int length, String alphabet) {
        while (true) {
            StringBuilder name = new StringBuilder(prefix);
            for (int i = 0; i < length; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (taken.add(name.toString())) {
                return name.toString();
            }
        }
    }

    /** A version-4 UUID drawn from the seeded random, so UIDs repeat with the seed too. */
    private static String uuid(Random random) {
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    private static String pad(int value, int width) {
        String text = Integer.toString(value);
        return "0".repeat(Math.max(0, width - text.length())) + text;
    }
}
