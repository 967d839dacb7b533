package dev.kubeteardown.longhorn;

import dev.kubeteardown.ResourceType;

/** Names Longhorn gives its resources, as this library relies on them (Longhorn 1.8 to 1.12). */
public final class Longhorn {

    /** API group of every Longhorn custom resource. */
    public static final String GROUP = "longhorn.io";
    /** The storage version, served by every supported release. */
    public static final String DEFAULT_API_VERSION = "v1beta2";
    /** The version before it, served (not stored) up to Longhorn 1.9. */
    public static final String OLD_API_VERSION = "v1beta1";
    /** Where Longhorn keeps its custom resources by default. */
    public static final String DEFAULT_NAMESPACE = "longhorn-system";
    /** The finalizer Longhorn puts on backups and backup volumes until the backupstore data is deleted. */
    public static final String FINALIZER = "longhorn.io";
    /** With value {@code "true"}, deleting the object removes only the custom resource; the backupstore data stays. */
    public static final String DELETE_CUSTOM_RESOURCE_ONLY_LABEL = "longhorn.io/delete-custom-resource-only";
    /** Label on a Backup naming its volume (unprefixed, as Longhorn sets it). */
    public static final String BACKUP_VOLUME_LABEL = "backup-volume";
    /** Label on a Backup naming its backup target (Longhorn 1.8+). */
    public static final String BACKUP_TARGET_LABEL = "backup-target";

    private Longhorn() {}

    /** {@code backups.longhorn.io} at the given version. */
    public static ResourceType backups(String apiVersion) {
        return ResourceType.namespaced(GROUP, apiVersion, "backups");
    }

    /** {@code backupvolumes.longhorn.io} at the given version. */
    public static ResourceType backupVolumes(String apiVersion) {
        return ResourceType.namespaced(GROUP, apiVersion, "backupvolumes");
    }
}
