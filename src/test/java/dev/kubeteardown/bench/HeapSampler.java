package dev.kubeteardown.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak heap of one run, relative to a baseline taken after a full GC just before it. Two sources: a thread that
 * reads {@link MemoryMXBean} heap used every millisecond, and GC notifications, whose "before GC" usage is the top
 * of each saw tooth that sampling could miss. The "after GC" usage tells what survived, i.e. what the run kept
 * live at that moment (plus old garbage not yet collected).
 */
final class HeapSampler implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 1;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /**
     * @param baseline     heap used after a full GC before the run
     * @param peakUsed     highest heap used seen during the run, minus the baseline (garbage included)
     * @param peakAfterGc  highest heap used right after a GC during the run, minus the baseline; -1 without GC
     * @param gcs          garbage collections during the run
     * @param gcMillis     their total duration (pauses of the whole process: client and simulated server share it)
     */
    record Peak(long baseline, long peakUsed, long peakAfterGc, int gcs, long gcMillis) {}

    private final long baseline;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong(-1);
    private final AtomicLong gcs = new AtomicLong();
    private final AtomicLong gcMillis = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    private final Thread thread;
    private volatile boolean running = true;

    private HeapSampler() {
        this.baseline = settledHeapUsed();
        peak.set(baseline);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        thread = new Thread(this::sample, "bench-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Collects garbage, takes the baseline and starts sampling. */
    static HeapSampler start() {
        return new HeapSampler();
    }

    /** Heap used after a full GC: what is live now. */
    static long settledHeapUsed() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** Stops sampling and returns the peaks relative to the baseline. */
    Peak stop() {
        close();
        record(MEMORY.getHeapMemoryUsage().getUsed());
        long afterGc = peakAfterGc.get();
        return new Peak(
                baseline,
                peak.get() - baseline,
                afterGc < 0 ? -1 : Math.max(0, afterGc - baseline),
                (int) gcs.get(),
                gcMillis.get());
    }

    long baseline() {
        return baseline;
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already removed
            }
        }
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        while (running) {
            record(MEMORY.getHeapMemoryUsage().getUsed());
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void record(long used) {
        peak.accumulateAndGet(used, Math::max);
    }

    private void onGc(Notification notification, Object handback) {
        if (!running
                || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        gcs.incrementAndGet();
        gcMillis.addAndGet(info.getGcInfo().getDuration());
        record(sum(info.getGcInfo().getMemoryUsageBeforeGc()));
        peakAfterGc.accumulateAndGet(sum(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
    }

    private static long sum(Map<String, MemoryUsage> pools) {
        long total = 0;
        for (Map.Entry<String, MemoryUsage> pool : pools.entrySet()) {
            if (isHeapPool(pool.getKey())) {
                total += pool.getValue().getUsed();
            }
        }
        return total;
    }

    /** G1, Parallel and Serial heap pools; Metaspace and code cache are not heap. */
    private static boolean isHeapPool(String name) {
        return name.contains("Eden")
                || name.contains("Survivor")
                || name.contains("Old Gen")
                || name.contains("Tenured")
                || name.contains("Old Space")
                || name.contains("G1 Old");
    }
}
