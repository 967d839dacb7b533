package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.BACKUP_VOLUMES;
import static dev.kubeteardown.it.ItNamespace.FINALIZER;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part of the Longhorn manager that backup teardown depends on, simulated in this JVM against the real API
 * server with client-java, for one namespace. A poll loop (every {@code pollInterval}) lists backup volumes and
 * backups there:
 * <ul>
 *   <li>a BackupVolume with a deletionTimestamp: after {@code volumeDelay}, its backups (label {@code backup-volume}
 *       equal to its {@code spec.volumeName}, or an ownerReference to its UID) are deleted, then its {@value
 *       ItNamespace#FINALIZER} finalizer is removed;</li>
 *   <li>a Backup with a deletionTimestamp: after {@code backupDelay}, its {@value ItNamespace#FINALIZER} finalizer
 *       is removed.</li>
 * </ul>
 * Finalizers are removed with a merge patch that carries the resourceVersion read, so a concurrent change makes it
 * fail with 409 and it is tried again at the next tick, as a controller would. The delays simulate the backupstore
 * work; they are not synchronisation. {@link #close()} stops the loop and every scheduled action and joins its
 * threads: none is left afterwards ({@link #liveThreads()}).
 */
public final class RealServerLonghornController implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ItNamespace ns;
    private final Duration volumeDelay;
    private final Duration backupDelay;
    private final ScheduledExecutorService scheduler;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Map<String, Long> finalizerRemovedNanos = new ConcurrentHashMap<>();
    private final AtomicLong lastRemovalStartNanos = new AtomicLong();
    private final AtomicLong lastRemovalEndNanos = new AtomicLong();
    private final AtomicInteger backupsDeletedByVolumes = new AtomicInteger();
    private final AtomicInteger finalizersRemoved = new AtomicInteger();
    private volatile boolean closed;

    private RealServerLonghornController(ItNamespace ns, Duration volumeDelay, Duration backupDelay) {
        this.ns = ns;
        this.volumeDelay = volumeDelay;
        this.backupDelay = backupDelay;
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "simulated-longhorn-" + instance + "-" + count.incrementAndGet());
            t.setDaemon(true);
            threads.add(t);
            return t;
        };
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(2, factory);
        // close() drops what is only scheduled but lets a removal in flight finish, so the counts match the cluster
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        pool.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.scheduler = pool;
    }

    /** Starts the loop at once, polling every {@code pollInterval}. */
    static RealServerLonghornController start(
            ItNamespace ns, Duration volumeDelay, Duration backupDelay, Duration pollInterval) {
        RealServerLonghornController c = new RealServerLonghornController(ns, volumeDelay, backupDelay);
        c.scheduler.scheduleWithFixedDelay(c::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        return c;
    }

    /** Polls every 50 ms. */
    public static RealServerLonghornController start(ItNamespace ns, Duration volumeDelay, Duration backupDelay) {
        return start(ns, volumeDelay, backupDelay, Duration.ofMillis(50));
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            for (Map<String, Object> bv : ns.list(BACKUP_VOLUMES)) {
                if (ItNamespace.deletionTimestampOf(bv) != null && handled.add(ItNamespace.uidOf(bv))) {
                    scheduler.schedule(() -> releaseVolume(bv), volumeDelay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            for (Map<String, Object> b : ns.list(BACKUPS)) {
                if (ItNamespace.deletionTimestampOf(b) != null
                        && ItNamespace.finalizersOf(b).contains(FINALIZER)
                        && handled.add(ItNamespace.uidOf(b))) {
                    scheduler.schedule(() -> releaseBackup(b), backupDelay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (ApiException e) {
            if (!closed) {
                errors.add(new IllegalStateException(
                        "simulated controller: list failed: HTTP " + e.getCode() + " " + e.getResponseBody(), e));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                errors.add(e);
            }
        }
    }

    /** Deletes the volume's backups (the backupstore data would go here), then releases the volume. */
    private void releaseVolume(Map<String, Object> bv) {
        String uid = ItNamespace.uidOf(bv);
        Object spec = bv.get("spec");
        String volumeName = spec instanceof Map<?, ?> m && m.get("volumeName") != null
                ? (String) m.get("volumeName")
                : ItNamespace.nameOf(bv);
        try {
            for (Map<String, Object> b : ns.list(BACKUPS)) {
                boolean labelled = volumeName.equals(ItNamespace.labelsOf(b).get("backup-volume"));
                boolean owned = ItNamespace.ownerReferencesOf(b).stream().anyMatch(r -> uid.equals(r.get("uid")));
                if ((labelled || owned)
                        && ItNamespace.deletionTimestampOf(b) == null
                        && ns.delete(BACKUPS, ItNamespace.nameOf(b))) {
                    backupsDeletedByVolumes.incrementAndGet();
                }
            }
            removeFinalizer(BACKUP_VOLUMES, bv, uid);
        } catch (ApiException | RuntimeException e) {
            retryLater(uid, "releasing BackupVolume " + ItNamespace.nameOf(bv), e);
        }
    }

    private void releaseBackup(Map<String, Object> backup) {
        String uid = ItNamespace.uidOf(backup);
        try {
            removeFinalizer(BACKUPS, backup, uid);
        } catch (ApiException | RuntimeException e) {
            retryLater(uid, "releasing Backup " + ItNamespace.nameOf(backup), e);
        }
    }

    /** Removes {@value ItNamespace#FINALIZER}, checked against the resourceVersion of a fresh read. */
    private void removeFinalizer(String plural, Map<String, Object> seen, String uid) throws ApiException {
        String name = ItNamespace.nameOf(seen);
        Map<String, Object> current = ns.get(plural, name).orElse(null);
        if (current == null || !uid.equals(ItNamespace.uidOf(current))) {
            return; // gone, or a same-name replacement that is not ours to release
        }
        List<String> remaining = new ArrayList<>(ItNamespace.finalizersOf(current));
        if (!remaining.remove(FINALIZER)) {
            return;
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("uid", uid);
        meta.put("resourceVersion", ItNamespace.resourceVersionOf(current));
        meta.put("finalizers", remaining);
        String patch = new Gson().toJson(Map.of("metadata", meta));
        long start = System.nanoTime();
        try {
            ns.mergePatch(plural, name, patch);
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return;
            }
            throw e;
        }
        long end = System.nanoTime();
        lastRemovalStartNanos.accumulateAndGet(start, Math::max);
        lastRemovalEndNanos.accumulateAndGet(end, Math::max);
        finalizerRemovedNanos.put(plural + "/" + name, end);
        finalizersRemoved.incrementAndGet();
    }

    /** A 409 (the object changed) or a transient error: forget it, so the next tick schedules it again. */
    private void retryLater(String uid, String what, Exception e) {
        if (closed) {
            return;
        }
        if (!(e instanceof ApiException api && api.getCode() == 409)) {
            errors.add(new IllegalStateException("simulated controller: " + what + " failed: " + describe(e), e));
        }
        handled.remove(uid);
    }

    private static String describe(Exception e) {
        return e instanceof ApiException api ? "HTTP " + api.getCode() + " " + api.getResponseBody() : e.toString();
    }

    /** Unexpected failures of the loop (409s, which it retries, are not among them). */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /** Finalizers this controller removed so far. */
    int finalizersRemoved() {
        return finalizersRemoved.get();
    }

    /** Backups this controller deleted because their volume was being deleted. */
    int backupsDeletedByVolumes() {
        return backupsDeletedByVolumes.get();
    }

    /** {@link System#nanoTime()} just before the last finalizer-removing patch was sent, 0 when none was. */
    long lastRemovalStartNanos() {
        return lastRemovalStartNanos.get();
    }

    /** {@link System#nanoTime()} when the last finalizer-removing patch was answered, 0 when none was. */
    long lastRemovalEndNanos() {
        return lastRemovalEndNanos.get();
    }

    /** When the finalizer of {@code plural/name} was removed ({@link System#nanoTime()}), or null. */
    Long finalizerRemovedAt(String plural, String name) {
        return finalizerRemovedNanos.get(plural + "/" + name);
    }

    /** Threads of this controller still alive. */
    long liveThreads() {
        return threads.stream().filter(Thread::isAlive).count();
    }

    /** Stops the loop and the scheduled actions, and waits until every thread has ended. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        scheduler.shutdown();
        if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
            scheduler.shutdownNow();
            throw new IllegalStateException("simulated Longhorn controller did not stop within 10 s");
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        if (liveThreads() != 0) {
            throw new IllegalStateException("simulated Longhorn controller left " + liveThreads() + " threads running");
        }
    }

    @Override
    public String toString() {
        return "RealServerLonghornController[" + ns.name() + ", volumeDelay=" + volumeDelay + ", backupDelay="
                + backupDelay + "]";
    }

    static void requireNoErrors(RealServerLonghornController c) {
        Objects.requireNonNull(c);
        if (!c.errors().isEmpty()) {
            AssertionError e = new AssertionError("simulated Longhorn controller failed: " + c.errors());
            c.errors().forEach(e::addSuppressed);
            throw e;
        }
    }
}
