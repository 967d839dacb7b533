package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.LonghornResources.BACKUPS;
import static dev.kubeteardown.sim.LonghornResources.BACKUP_VOLUMES;
import static dev.kubeteardown.sim.LonghornResources.ENGINES;
import static dev.kubeteardown.sim.LonghornResources.FINALIZER;
import static dev.kubeteardown.sim.LonghornResources.LABEL_BACKUP_VOLUME;
import static dev.kubeteardown.sim.LonghornResources.LABEL_DELETE_CUSTOM_RESOURCE_ONLY;
import static dev.kubeteardown.sim.LonghornResources.REPLICAS;
import static dev.kubeteardown.sim.LonghornResources.VOLUMES;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What longhorn-manager (1.8+) and the garbage collector do when Longhorn objects are deleted, on one
 * scheduler thread:
 * <ul>
 *   <li>a deleted BackupVolume: after {@code remoteDeleteDelay}, drop the volume's data from the backupstore and
 *       release its finalizer, so it goes first;</li>
 *   <li>once it is gone, the garbage collector deletes the Backups that carry an owner reference to it (Longhorn
 *       1.8+): {@code cascadeDelay} later, one every {@code gcPace}, as one queue for the whole cluster. This is
 *       the asynchronous deletion a backup cleanup races: a backup listed while the collector is behind can be gone
 *       by the time it is deleted (404);</li>
 *   <li>with {@code volumeDeletesBackups}, the backup volume controller instead deletes the Backups it owns before
 *       it releases its finalizer (they get a deletionTimestamp; their finalizer holds them), and the queue then
 *       finishes them (remote data, finalizer): a cleanup that lists after the volume is gone finds every backup
 *       already being deleted, however fast it is;</li>
 *   <li>a deleted Backup: after {@code remoteDeleteDelay}, drop its remote data (unless it or its
 *       BackupVolume has {@code longhorn.io/delete-custom-resource-only: "true"}) and release its finalizer;
 *       stuck backups never get there, and nothing does while the backup target is unreachable;</li>
 *   <li>any other Longhorn kind: release the finalizer after {@code remoteDeleteDelay};</li>
 *   <li>optionally, the backupstore poll: re-create BackupVolumes and Backups whose data still exists.</li>
 * </ul>
 * Store events are handed to the thread and processed in order; all controller state is confined to it.
 */
final class SimulatedLonghornController {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedLonghornController.class);
    /** How soon the collector looks again while the backup target is unreachable (or while paced at zero). */
    private static final Duration UNREACHABLE_RETRY = Duration.ofMillis(10);

    /**
     * A backup in the collector's queue.
     *
     * @param marked   the volume controller already deleted it: the queue only finishes it (data, finalizer)
     * @param keepData its volume had {@code delete-custom-resource-only}: the volume is gone when the queue gets
     *                 here, so the label is remembered rather than looked up
     */
    private record Dependent(String namespace, String name, String uid, boolean marked, boolean keepData) {}

    private final ObjectStore store;
    private final RemoteBackupstore remote;
    private final ScheduledExecutorService executor;
    private final Duration cascadeDelay;
    private final Duration gcPace;
    private final Duration remoteDeleteDelay;
    private final Duration pollInterval;
    private final Set<String> stuckBackups;
    private final boolean volumeDeletesBackups;
    private volatile boolean targetReachable = true;
    private volatile boolean collectorPaused;

    // confined to the executor thread
    private final Set<String> scheduled = new HashSet<>();
    /** Backups (by UID) whose remote data stays when they go: their volume was custom-resource-only. */
    private final Set<String> keepData = new HashSet<>();
    /** Backups the volume controller deleted, by the UID of their (deleting) volume. */
    private final Map<String, List<Dependent>> markedByVolume = new HashMap<>();

    private final ArrayDeque<Dependent> collectorQueue = new ArrayDeque<>();
    private boolean collectorRunning;

    SimulatedLonghornController(
            ObjectStore store,
            RemoteBackupstore remote,
            ScheduledExecutorService executor,
            Duration cascadeDelay,
            Duration gcPace,
            Duration remoteDeleteDelay,
            Duration pollInterval,
            Set<String> stuckBackups,
            boolean volumeDeletesBackups) {
        this.volumeDeletesBackups = volumeDeletesBackups;
        this.store = store;
        this.remote = remote;
        this.executor = executor;
        this.cascadeDelay = cascadeDelay;
        this.gcPace = gcPace;
        this.remoteDeleteDelay = remoteDeleteDelay;
        this.pollInterval = pollInterval;
        this.stuckBackups = stuckBackups;
    }

    void start() {
        store.addListener(event -> run(() -> onEvent(event)));
        if (pollInterval != null) {
            long millis = Math.max(1, pollInterval.toMillis());
            executor.scheduleWithFixedDelay(guarded(this::poll), millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    void backupTargetReachable(boolean reachable) {
        targetReachable = reachable;
    }

    /** For tests: the collector's queue fills but nothing in it is processed until {@link #resumeCollector()}. */
    void pauseCollector() {
        collectorPaused = true;
    }

    /** For tests: the collector carries on with its queue. */
    void resumeCollector() {
        collectorPaused = false;
        run(() -> {
            if (!collectorRunning) { // a paced step still scheduled carries on by itself
                collect();
            }
        });
    }

    private void onEvent(StoreEvent event) {
        StoredObject object = event.object();
        if (!LonghornResources.ALL.contains(object.resource())) {
            return;
        }
        if (event.type() == StoreEvent.Type.DELETED) {
            scheduled.remove(object.uid());
            if (object.resource().equals(BACKUP_VOLUMES)) {
                List<Dependent> marked = markedByVolume.remove(object.uid());
                schedule(cascadeDelay, () -> collectDependents(object, marked == null ? List.of() : marked));
            }
            return;
        }
        if (object.deleting() && object.finalizers().contains(FINALIZER) && scheduled.add(object.uid())) {
            if (object.resource().equals(VOLUMES)) {
                run(() -> deleteEnginesAndReplicas(object));
            }
            if (object.resource().equals(BACKUP_VOLUMES)) {
                schedule(remoteDeleteDelay, () -> finishBackupVolume(object));
            } else {
                schedule(remoteDeleteDelay, () -> finish(object));
            }
        }
    }

    /**
     * The backup volume controller on a deleted BackupVolume: with {@code volumeDeletesBackups}, delete the backups
     * it owns first; then drop the volume's remote data and release the finalizer.
     */
    private void finishBackupVolume(StoredObject deleted) {
        StoredObject current = sameObject(deleted);
        if (current == null) {
            return;
        }
        if (!targetReachable) {
            schedule(remoteDeleteDelay, () -> finishBackupVolume(current));
            return;
        }
        boolean keep = customResourceOnly(current);
        if (volumeDeletesBackups) {
            markedByVolume.put(current.uid(), deleteOwnedBackups(current, keep));
        }
        if (!keep) {
            remote.removeVolume(current.name(), volumeName(current));
        }
        releaseFinalizer(current);
    }

    /** The volume controller on a deleted Volume: its engines and replicas go with it (their finalizers, then). */
    private void deleteEnginesAndReplicas(StoredObject volume) {
        for (ApiResource part : List.of(ENGINES, REPLICAS)) {
            for (StoredObject object : store.scan(part)) {
                if (Objects.equals(object.namespace(), volume.namespace())
                        && volume.name().equals(object.labels().get(LonghornResources.LABEL_VOLUME))
                        && !object.deleting()) {
                    try {
                        store.delete(
                                part,
                                object.namespace(),
                                object.name(),
                                new ObjectStore.Preconditions(object.uid(), null),
                                false);
                    } catch (StatusException raced) {
                        LOG.debug(
                                "{} {} of deleted volume {} raced: {}",
                                part.kind(),
                                object.name(),
                                volume.name(),
                                raced.getMessage());
                    }
                }
            }
        }
    }

    /** The volume controller's own cascade: deletes the backups {@code volume} owns; returns them, for the queue. */
    private List<Dependent> deleteOwnedBackups(StoredObject volume, boolean keepData) {
        List<Dependent> marked = new ArrayList<>();
        for (StoredObject backup : ownedBackups(volume)) {
            if (backup.deleting()) {
                continue; // someone else deleted it first; it finishes on its own
            }
            try {
                // claimed before the delete's event arrives, so the queue (not remoteDeleteDelay) finishes it
                scheduled.add(backup.uid());
                store.delete(
                        BACKUPS,
                        backup.namespace(),
                        backup.name(),
                        new ObjectStore.Preconditions(backup.uid(), null),
                        false);
                marked.add(new Dependent(backup.namespace(), backup.name(), backup.uid(), true, keepData));
            } catch (StatusException raced) {
                scheduled.remove(backup.uid());
                LOG.debug("Backup {} of deleted volume {} raced: {}", backup.name(), volume.name(), raced.getMessage());
            }
        }
        return marked;
    }

    /** The owner is gone: queue what the volume controller deleted, and have the collector delete the rest. */
    private void collectDependents(StoredObject backupVolume, List<Dependent> marked) {
        Set<String> markedUids = new HashSet<>();
        marked.forEach(d -> markedUids.add(d.uid()));
        boolean keep = customResourceOnly(backupVolume);
        List<Dependent> dependents = new ArrayList<>(marked);
        for (StoredObject backup : ownedBackups(backupVolume)) {
            if (!markedUids.contains(backup.uid()) && !backup.deleting()) {
                dependents.add(new Dependent(backup.namespace(), backup.name(), backup.uid(), false, keep));
            }
        }
        // the real collector follows no name order: take them by UID (deterministic for a seeded store), so a client
        // working through the list by name meets objects the collector removed ahead of it
        dependents.sort(Comparator.comparing(Dependent::uid));
        collectorQueue.addAll(dependents);
        LOG.debug(
                "BackupVolume {} gone: {} backups queued for the collector",
                backupVolume.name(),
                collectorQueue.size());
        if (!collectorRunning && !collectorQueue.isEmpty()) {
            collectorRunning = true;
            collect();
        }
    }

    /**
     * Works through the queue: one backup, then the next {@code gcPace} later; with a zero pace, in a loop (not
     * by recursion: a queue of thousands must not grow the stack).
     */
    private void collect() {
        while (true) {
            if (collectorPaused) {
                collectorRunning = false;
                return;
            }
            Dependent next = collectorQueue.peek();
            if (next == null) {
                collectorRunning = false;
                return;
            }
            if (next.marked() && !targetReachable) {
                collectorRunning = true;
                schedule(UNREACHABLE_RETRY, this::collect);
                return;
            }
            collectorRunning = true;
            collectorQueue.poll();
            collectOne(next);
            if (!gcPace.isZero()) {
                schedule(gcPace, this::collect);
                return;
            }
        }
    }

    private void collectOne(Dependent next) {
        StoredObject backup = store.get(BACKUPS, next.namespace(), next.name());
        if (backup == null || !backup.uid().equals(next.uid())) {
            return;
        }
        if (next.marked()) {
            if (stuckBackups.contains(backup.name())) {
                LOG.debug("Backup {} is stuck: keeping its finalizer", backup.name());
                return;
            }
            if (!next.keepData() && !customResourceOnly(backup)) {
                remote.removeBackup(backup.name());
            }
            releaseFinalizer(backup);
            return;
        }
        if (backup.deleting()) {
            return;
        }
        if (next.keepData()) {
            keepData.add(next.uid());
        }
        try {
            // background propagation: its finalizer still applies, finish() does the rest
            store.delete(
                    BACKUPS, next.namespace(), next.name(), new ObjectStore.Preconditions(next.uid(), null), false);
        } catch (StatusException raced) {
            LOG.debug("Garbage collection of backup {} raced: {}", next.name(), raced.getMessage());
        }
    }

    /** The remote side of deleting a Backup (or any other non-volume kind), then the finalizer. */
    private void finish(StoredObject deleted) {
        StoredObject current = sameObject(deleted);
        if (current == null) {
            return;
        }
        boolean backup = current.resource().equals(BACKUPS);
        if (backup && stuckBackups.contains(current.name())) {
            LOG.debug("Backup {} is stuck: keeping its finalizer", current.name());
            return;
        }
        if (!targetReachable) {
            schedule(remoteDeleteDelay, () -> finish(current));
            return;
        }
        if (backup
                && !customResourceOnly(current)
                && !keepData.remove(current.uid())
                && !customResourceOnly(backupVolumeOf(current))) {
            remote.removeBackup(current.name());
        }
        releaseFinalizer(current);
    }

    /** Re-creates custom resources from the backupstore, as longhorn-manager's backupstore poll does. */
    private void poll() {
        if (!targetReachable) {
            return;
        }
        for (RemoteBackupstore.RemoteVolume volume : remote.volumes()) {
            if (store.get(BACKUP_VOLUMES, volume.namespace(), volume.backupVolumeName()) == null) {
                createQuietly(
                        BACKUP_VOLUMES,
                        volume.namespace(),
                        LonghornObjects.backupVolume(
                                volume.namespace(),
                                volume.backupVolumeName(),
                                volume.volumeName(),
                                volume.target(),
                                Map.of(),
                                null,
                                null));
            }
        }
        Map<String, StoredObject> owners = new HashMap<>();
        for (StoredObject backupVolume : store.scan(BACKUP_VOLUMES)) {
            if (!backupVolume.deleting()) {
                owners.putIfAbsent(backupVolume.namespace() + "/" + volumeName(backupVolume), backupVolume);
            }
        }
        for (RemoteBackupstore.RemoteBackup backup : remote.backups()) {
            if (store.get(BACKUPS, backup.namespace(), backup.name()) == null) {
                StoredObject owner = owners.get(backup.namespace() + "/" + backup.volumeName());
                createQuietly(
                        BACKUPS,
                        backup.namespace(),
                        LonghornObjects.backup(
                                backup.namespace(),
                                backup.name(),
                                backup.volumeName(),
                                backup.target(),
                                Map.of(),
                                owner,
                                "Completed",
                                null,
                                backup.snapshotName()));
            }
        }
    }

    private void createQuietly(ApiResource resource, String namespace, ObjectNode object) {
        try {
            store.create(resource, namespace, object, ObjectStore.Origin.SYSTEM, false);
            LOG.debug("Backupstore poll re-created {} {}", resource.kind(), Json.text(Json.metadata(object), "name"));
        } catch (StatusException raced) {
            LOG.debug("Backupstore poll skipped {}: {}", resource.kind(), raced.getMessage());
        }
    }

    private void releaseFinalizer(StoredObject object) {
        try {
            store.update(
                    object.resource(),
                    object.namespace(),
                    object.name(),
                    current -> {
                        if (!current.uid().equals(object.uid())) {
                            throw StatusException.uidPrecondition(
                                    object.resource(), object.name(), object.uid(), current.uid());
                        }
                        ObjectNode next = current.copy();
                        List<String> finalizers = current.finalizers().stream()
                                .filter(f -> !f.equals(FINALIZER))
                                .toList();
                        Json.metadataForWrite(next).set("finalizers", Json.stringArray(finalizers));
                        return next;
                    },
                    false);
        } catch (StatusException gone) {
            LOG.debug("Finalizer of {} not released: {}", object, gone.getMessage());
        }
    }

    private StoredObject sameObject(StoredObject object) {
        StoredObject current = store.get(object.resource(), object.namespace(), object.name());
        return current != null && current.uid().equals(object.uid()) ? current : null;
    }

    private StoredObject backupVolumeOf(StoredObject backup) {
        JsonNode references = Json.metadata(backup.json()).path("ownerReferences");
        for (JsonNode reference : references) {
            StoredObject owner = store.get(BACKUP_VOLUMES, backup.namespace(), Json.text(reference, "name"));
            if (owner != null && owner.uid().equals(Json.text(reference, "uid"))) {
                return owner;
            }
        }
        String volumeName = backup.labels().get(LABEL_BACKUP_VOLUME);
        if (volumeName == null) {
            return null;
        }
        return store.scan(BACKUP_VOLUMES).stream()
                .filter(bv -> bv.namespace().equals(backup.namespace()) && volumeName.equals(volumeName(bv)))
                .findFirst()
                .orElse(null);
    }

    private List<StoredObject> ownedBackups(StoredObject backupVolume) {
        List<StoredObject> owned = new ArrayList<>();
        for (StoredObject backup : List.copyOf(store.scan(BACKUPS))) {
            if (backup.namespace().equals(backupVolume.namespace()) && ownedBy(backup, backupVolume)) {
                owned.add(backup);
            }
        }
        return owned;
    }

    private static boolean ownedBy(StoredObject backup, StoredObject backupVolume) {
        for (JsonNode reference : Json.metadata(backup.json()).path("ownerReferences")) {
            if (backupVolume.uid().equals(Json.text(reference, "uid"))) {
                return true;
            }
        }
        return false;
    }

    private static String volumeName(StoredObject backupVolume) {
        String volumeName = Json.text(backupVolume.json().path("spec"), "volumeName");
        return volumeName != null ? volumeName : backupVolume.labels().get(LABEL_BACKUP_VOLUME);
    }

    private static boolean customResourceOnly(StoredObject object) {
        return object != null && "true".equals(object.labels().get(LABEL_DELETE_CUSTOM_RESOURCE_ONLY));
    }

    private void schedule(Duration delay, Runnable task) {
        try {
            executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // the simulator is closing
        }
    }

    private void run(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException closed) {
            // the simulator is closing
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("Simulated Longhorn controller failed", e);
            }
        };
    }
}
