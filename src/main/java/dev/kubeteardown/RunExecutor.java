package dev.kubeteardown;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The threads of one run: as many deletes as its {@link ConcurrencyLimit} allows, plus lists and watches. Threads
 * are started on demand and stop when idle, so a small run never holds the maximum's worth. Blocking I/O never runs
 * on the caller's thread, so an interrupt of the caller is noticed at once; no thread outlives {@link #close()}.
 */
final class RunExecutor implements AutoCloseable {

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long IDLE_SECONDS = 5;

    private final ExecutorService pool;
    private final ConcurrencyLimit limit;

    RunExecutor(int parallelism) {
        this(ConcurrencyLimit.fixed(parallelism));
    }

    RunExecutor(ConcurrencyLimit limit) {
        this.limit = limit;
        int run = RUNS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        // no queue: a task takes an idle thread or a new one; the limit, not the pool, bounds the deletes
        this.pool = new ThreadPoolExecutor(
                0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "kube-teardown-" + run + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Runs blocking I/O on a pool thread and waits for it, interruptibly. */
    <T> T io(Callable<T> work) throws InterruptedException {
        Future<T> future = pool.submit(work);
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    /** The limit bounded tasks are held to; their requests report to it. */
    ConcurrencyLimit limit() {
        return limit;
    }

    /** Starts a task once fewer than the limit are running; blocks (interruptibly) until then. */
    void submitBounded(Runnable task) throws InterruptedException {
        limit.acquire();
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } finally {
                    limit.release();
                }
            });
        } catch (RuntimeException e) {
            limit.release();
            throw e;
        }
    }

    /** Waits until every bounded task has finished. */
    void awaitBounded() throws InterruptedException {
        limit.awaitIdle();
    }

    /**
     * Stops the workers and waits for them (up to 5 s) even when the calling thread is interrupted - an interrupted
     * run is exactly when a worker must not go on sending requests after the run returned. The interrupt flag is
     * kept.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (true) {
                try {
                    if (!pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        LoggerFactory.getLogger(RunExecutor.class)
                                .warn("kube-teardown worker threads did not stop within 5 s of the end of the run");
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
