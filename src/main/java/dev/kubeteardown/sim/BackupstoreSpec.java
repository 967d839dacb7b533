package dev.kubeteardown.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to seed into a simulated cluster: {@code volumes} BackupVolumes with {@code backupsPerVolume}
 * completed Backups each, plus failed Backups, stuck Backups, SystemBackups and BackupBackingImages, all in
 * {@value LonghornResources#NAMESPACE}. Immutable; each method returns a changed copy. Everything generated
 * (names, UIDs, which backups fail or get stuck) follows from {@link #seed(long)}, so the same spec seeds the
 * same cluster every time.
 *
 * <pre>{@code
 * BackupstoreSpec.of(200, 50).failedBackups(10).stuckBackups(2).seed(42).label("kubeteardown.dev/run", "r1")
 * }</pre>
 */
public final class BackupstoreSpec {

    private final int volumes;
    private final int backupsPerVolume;
    private final int failedBackups;
    private final int stuckBackups;
    private final int systemBackups;
    private final int backupBackingImages;
    private final long seed;
    private final String volumePrefix;
    private final Map<String, String> labels;

    private BackupstoreSpec(
            int volumes,
            int backupsPerVolume,
            int failedBackups,
            int stuckBackups,
            int systemBackups,
            int backupBackingImages,
            long seed,
            String volumePrefix,
            Map<String, String> labels) {
        this.volumes = requireNonNegative(volumes, "volumes");
        this.backupsPerVolume = requireNonNegative(backupsPerVolume, "backupsPerVolume");
        this.failedBackups = requireNonNegative(failedBackups, "failedBackups");
        this.stuckBackups = requireNonNegative(stuckBackups, "stuckBackups");
        if (stuckBackups > volumes * backupsPerVolume) {
            throw new IllegalArgumentException("stuckBackups must be <= volumes * backupsPerVolume ("
                    + volumes * backupsPerVolume + "), was " + stuckBackups);
        }
        this.systemBackups = requireNonNegative(systemBackups, "systemBackups");
        this.backupBackingImages = requireNonNegative(backupBackingImages, "backupBackingImages");
        this.seed = seed;
        this.volumePrefix = Objects.requireNonNull(volumePrefix, "volumePrefix");
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** {@code volumes} backup volumes with {@code backupsPerVolume} completed backups each; seed 1. */
    public static BackupstoreSpec of(int volumes, int backupsPerVolume) {
        return new BackupstoreSpec(volumes, backupsPerVolume, 0, 0, 0, 0, 1, "vol", Map.of());
    }

    /**
     * Adds {@code count} backups in state {@code Error} without owner references (with the {@code backup-volume}
     * and {@code backup-target} labels, as Longhorn 1.8+ sets them), so that no BackupVolume deletion reaches
     * them: alternately for a seeded volume and for a volume that has no BackupVolume any more.
     */
    public BackupstoreSpec failedBackups(int count) {
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                count,
                stuckBackups,
                systemBackups,
                backupBackingImages,
                seed,
                volumePrefix,
                labels);
    }

    /** Picks {@code count} completed backups whose finalizer the controller never releases. */
    public BackupstoreSpec stuckBackups(int count) {
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                failedBackups,
                count,
                systemBackups,
                backupBackingImages,
                seed,
                volumePrefix,
                labels);
    }

    public BackupstoreSpec systemBackups(int count) {
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                failedBackups,
                stuckBackups,
                count,
                backupBackingImages,
                seed,
                volumePrefix,
                labels);
    }

    public BackupstoreSpec backupBackingImages(int count) {
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                failedBackups,
                stuckBackups,
                systemBackups,
                count,
                seed,
                volumePrefix,
                labels);
    }

    /** The seed of every generated name, UID and choice; the default is 1. */
    public BackupstoreSpec seed(long value) {
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                failedBackups,
                stuckBackups,
                systemBackups,
                backupBackingImages,
                value,
                volumePrefix,
                labels);
    }

    /** Volume names are {@code <prefix>-<index>}; use distinct prefixes to seed one cluster twice. */
    public BackupstoreSpec volumePrefix(String prefix) {
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                failedBackups,
                stuckBackups,
                systemBackups,
                backupBackingImages,
                seed,
                prefix,
                labels);
    }

    /**
     * Adds a label to every seeded object, e.g. a test-run label to clean up by selector. (Objects the
     * backupstore poll re-creates do not get it, as Longhorn would not know it.)
     */
    public BackupstoreSpec label(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new BackupstoreSpec(
                volumes,
                backupsPerVolume,
                failedBackups,
                stuckBackups,
                systemBackups,
                backupBackingImages,
                seed,
                volumePrefix,
                more);
    }

    public int volumes() {
        return volumes;
    }

    public int backupsPerVolume() {
        return backupsPerVolume;
    }

    public int failedBackups() {
        return failedBackups;
    }

    public int stuckBackups() {
        return stuckBackups;
    }

    public int systemBackups() {
        return systemBackups;
    }

    public int backupBackingImages() {
        return backupBackingImages;
    }

    public long seed() {
        return seed;
    }

    public String volumePrefix() {
        return volumePrefix;
    }

    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public String toString() {
        return "BackupstoreSpec[volumes=" + volumes + ", backupsPerVolume=" + backupsPerVolume + ", failedBackups="
                + failedBackups + ", stuckBackups=" + stuckBackups + ", systemBackups=" + systemBackups
                + ", backupBackingImages=" + backupBackingImages + ", seed=" + seed + ", volumePrefix=" + volumePrefix
                + ", labels=" + labels + "]";
    }

    private static int requireNonNegative(int value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
        return value;
    }
}
