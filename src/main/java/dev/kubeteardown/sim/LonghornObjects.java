package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.LonghornResources.FINALIZER;
import static dev.kubeteardown.sim.LonghornResources.LABEL_BACKUP_TARGET;
import static dev.kubeteardown.sim.LonghornResources.LABEL_BACKUP_VOLUME;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Longhorn custom resources shaped as Longhorn 1.8+ writes them: labels, owner references, finalizer and
 * status. Used by seeding and by the backupstore poll.
 */
final class LonghornObjects {

    private LonghornObjects() {}

    static ObjectNode backupVolume(
            String namespace,
            String name,
            String volumeName,
            String target,
            Map<String, String> extraLabels,
            String uid,
            String lastBackupName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_BACKUP_VOLUME, volumeName);
        labels.put(LABEL_BACKUP_TARGET, target);
        labels.putAll(extraLabels);
        ObjectNode object = skeleton(LonghornResources.BACKUP_VOLUMES, namespace, name, labels, uid);
        ObjectNode spec = object.putObject("spec");
        spec.put("volumeName", volumeName);
        spec.put("backupTargetName", target);
        ObjectNode status = object.putObject("status");
        if (lastBackupName != null) {
            status.put("lastBackupName", lastBackupName);
        }
        return object;
    }

    /**
     * A Backup labelled with its volume and target; {@code owner} (a BackupVolume) may be null, as for failed
     * backups.
     */
    static ObjectNode backup(
            String namespace,
            String name,
            String volumeName,
            String target,
            Map<String, String> extraLabels,
            StoredObject owner,
            String state,
            String uid,
            String snapshotName) {
        Map<String, String> labels = new LinkedHashMap<>();
        // Longhorn 1.8+ labels every backup, failed ones too, with its volume and target
        labels.put(LABEL_BACKUP_VOLUME, volumeName);
        labels.put(LABEL_BACKUP_TARGET, target);
        labels.putAll(extraLabels);
        ObjectNode object = skeleton(LonghornResources.BACKUPS, namespace, name, labels, uid);
        if (owner != null) {
            ObjectNode reference =
                    Json.metadataForWrite(object).putArray("ownerReferences").addObject();
            reference.put("apiVersion", LonghornResources.BACKUP_VOLUMES.apiVersion());
            reference.put("kind", LonghornResources.BACKUP_VOLUMES.kind());
            reference.put("name", owner.name());
            reference.put("uid", owner.uid());
            reference.put("controller", true);
            reference.put("blockOwnerDeletion", true);
        }
        ObjectNode spec = object.putObject("spec");
        spec.put("snapshotName", snapshotName);
        spec.putObject("labels");
        spec.put("backupMode", "incremental");
        ObjectNode status = object.putObject("status");
        status.put("state", state);
        status.put("volumeName", volumeName);
        status.put("backupTargetName", target);
        status.put("snapshotName", snapshotName);
        if ("Completed".equals(state)) {
            status.put("progress", 100);
            status.put("url", "s3://backupbucket@us-east-1/?backup=" + name + "&volume=" + volumeName);
        } else {
            status.put("progress", 0);
            status.put("error", "failed to create backup: proxy error: backup target is unavailable");
        }
        return object;
    }

    static ObjectNode backupTarget(String namespace, String name, Map<String, String> extraLabels, String uid) {
        ObjectNode object = skeleton(LonghornResources.BACKUP_TARGETS, namespace, name, extraLabels, uid);
        ObjectNode spec = object.putObject("spec");
        spec.put("backupTargetURL", "s3://backupbucket@us-east-1/");
        spec.put("credentialSecret", "minio-secret");
        spec.put("pollInterval", "5m0s");
        object.putObject("status").put("available", true);
        return object;
    }

    static ObjectNode systemBackup(String namespace, String name, Map<String, String> extraLabels, String uid) {
        ObjectNode object = skeleton(LonghornResources.SYSTEM_BACKUPS, namespace, name, extraLabels, uid);
        object.putObject("spec").put("volumeBackupPolicy", "if-not-present");
        object.putObject("status").put("state", "Ready");
        return object;
    }

    static ObjectNode backupBackingImage(
            String namespace,
            String name,
            String backingImage,
            String target,
            Map<String, String> extraLabels,
            String uid) {
        ObjectNode object = skeleton(LonghornResources.BACKUP_BACKING_IMAGES, namespace, name, extraLabels, uid);
        ObjectNode spec = object.putObject("spec");
        spec.put("backingImage", backingImage);
        spec.put("backupTargetName", target);
        spec.put("userCreated", true);
        object.putObject("status").put("state", "Completed");
        return object;
    }

    private static ObjectNode skeleton(
            ApiResource resource, String namespace, String name, Map<String, String> labels, String uid) {
        ObjectNode object = Json.object();
        object.put("apiVersion", resource.apiVersion());
        object.put("kind", resource.kind());
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        if (uid != null) {
            metadata.put("uid", uid);
        }
        if (!labels.isEmpty()) {
            metadata.set("labels", Json.stringObject(labels));
        }
        metadata.set("finalizers", Json.stringArray(List.of(FINALIZER)));
        return object;
    }
}
