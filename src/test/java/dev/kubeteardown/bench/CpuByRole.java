package dev.kubeteardown.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of one run split between the client (the teardown's worker threads, OkHttp's and the caller's) and the
 * simulated server (Vert.x event loops, the simulated Longhorn controller). Worker threads end with their step, so a
 * thread samples every thread's CPU time every few milliseconds and keeps the last value seen of each. JIT and GC
 * threads are not Java threads and count in neither (they are in the process total).
 */
final class CpuByRole implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU seconds of the client's and the simulated server's threads during the run. */
    record Split(double clientSeconds, double serverSeconds) {}

    private final Map<Long, Long> atStart = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, Role> roles = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private enum Role {
        CLIENT,
        SERVER,
        OTHER
    }

    private CpuByRole() {
        synchronized (this) {
            for (long id : THREADS.getAllThreadIds()) {
                long cpu = THREADS.getThreadCpuTime(id);
                if (cpu >= 0) {
                    atStart.put(id, cpu);
                }
            }
        }
        thread = new Thread(this::sample, "bench-cpu-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    static CpuByRole start() {
        return new CpuByRole();
    }

    /** Stops sampling (one last sample first) and returns the split. */
    Split stop() {
        close();
        sampleOnce();
        double client = 0;
        double server = 0;
        synchronized (this) {
            for (Map.Entry<Long, Long> e : last.entrySet()) {
                double seconds = (e.getValue() - atStart.getOrDefault(e.getKey(), 0L)) / 1e9;
                switch (roles.getOrDefault(e.getKey(), Role.OTHER)) {
                    case CLIENT -> client += seconds;
                    case SERVER -> server += seconds;
                    default -> {}
                }
            }
        }
        return new Split(client, server);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        while (running) {
            sampleOnce();
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sampleOnce() {
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu < 0) {
                continue;
            }
            last.put(id, cpu);
            if (!roles.containsKey(id)) {
                ThreadInfo info = THREADS.getThreadInfo(id);
                roles.put(id, info == null ? Role.OTHER : role(info.getThreadName()));
            }
        }
    }

    private static Role role(String name) {
        if (name.startsWith("kube-teardown-")
                || name.startsWith("OkHttp")
                || name.equals("main")
                || name.startsWith("ForkJoinPool")) {
            return Role.CLIENT;
        }
        if (name.startsWith("vert.x-") || name.startsWith("longhorn-simulator")) {
            return Role.SERVER;
        }
        return Role.OTHER;
    }
}
