package dev.kubeteardown.sim;

import java.util.List;

/** Longhorn names the simulator plays by, as in Longhorn 1.8 to 1.12 ({@code longhorn.io/v1beta2}). */
public final class LonghornResources {

    public static final String GROUP = "longhorn.io";
    public static final String VERSION = "v1beta2";
    public static final String NAMESPACE = "longhorn-system";
    /** The finalizer Longhorn keeps until the remote (backupstore) side of a delete is done. */
    public static final String FINALIZER = "longhorn.io";
    /** Unprefixed label on backups (and backup volumes) naming the Longhorn volume. */
    public static final String LABEL_BACKUP_VOLUME = "backup-volume";
    /** Unprefixed label naming the backup target (1.8+). */
    public static final String LABEL_BACKUP_TARGET = "backup-target";
    /** With value {@code "true"} on a Backup or BackupVolume: deleting it keeps the backupstore data. */
    public static final String LABEL_DELETE_CUSTOM_RESOURCE_ONLY = "longhorn.io/delete-custom-resource-only";

    public static final String DEFAULT_BACKUP_TARGET = "default";

    public static final ApiResource BACKUPS = longhorn("Backup", "backups", "lhb");
    public static final ApiResource BACKUP_VOLUMES = longhorn("BackupVolume", "backupvolumes", "lhbv");
    public static final ApiResource BACKUP_TARGETS = longhorn("BackupTarget", "backuptargets", "lhbt");
    public static final ApiResource SYSTEM_BACKUPS = longhorn("SystemBackup", "systembackups", "lhsb");
    public static final ApiResource BACKUP_BACKING_IMAGES =
            longhorn("BackupBackingImage", "backupbackingimages", "lhbbi");
    public static final ApiResource VOLUMES = longhorn("Volume", "volumes", "lhv");
    public static final ApiResource SNAPSHOTS = longhorn("Snapshot", "snapshots", "lhsnap");
    /** Deleted with their volume (label {@value #LABEL_VOLUME}). */
    public static final ApiResource ENGINES = longhorn("Engine", "engines", "lhe");
    /** Deleted with their volume (label {@value #LABEL_VOLUME}). */
    public static final ApiResource REPLICAS = longhorn("Replica", "replicas", "lhr");

    public static final ApiResource RECURRING_JOBS = longhorn("RecurringJob", "recurringjobs", "lhrj");
    public static final ApiResource BACKING_IMAGES = longhorn("BackingImage", "backingimages", "lhbi");
    public static final ApiResource SUPPORT_BUNDLES = longhorn("SupportBundle", "supportbundles", "lhbundle");
    public static final ApiResource SYSTEM_RESTORES = longhorn("SystemRestore", "systemrestores", "lhsr");
    public static final ApiResource ORPHANS = longhorn("Orphan", "orphans", "lho");
    /** Unprefixed label on engines and replicas naming their volume. */
    public static final String LABEL_VOLUME = "longhornvolume";
    /** Core {@code v1} namespaces, served so that {@value #NAMESPACE} exists like on a real cluster. */
    public static final ApiResource NAMESPACES =
            new ApiResource("", "v1", "Namespace", "namespaces", false, List.of("ns"));

    /** Every Longhorn kind the simulator serves. */
    public static final List<ApiResource> ALL = List.of(
            BACKUPS,
            BACKUP_VOLUMES,
            BACKUP_TARGETS,
            SYSTEM_BACKUPS,
            BACKUP_BACKING_IMAGES,
            VOLUMES,
            SNAPSHOTS,
            ENGINES,
            REPLICAS,
            RECURRING_JOBS,
            BACKING_IMAGES,
            SUPPORT_BUNDLES,
            SYSTEM_RESTORES,
            ORPHANS);

    private LonghornResources() {}

    /** The Longhorn kind served under {@code plural}, e.g. {@code backups}. */
    public static ApiResource byPlural(String plural) {
        return ALL.stream()
                .filter(r -> r.plural().equals(plural))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Longhorn resource \"" + plural + "\""));
    }

    private static ApiResource longhorn(String kind, String plural, String shortName) {
        return new ApiResource(GROUP, VERSION, kind, plural, true, List.of(shortName));
    }
}
