package dev.kubeteardown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A virtual clock for stage tests: the {@link Ticker} reads it, the {@link Sleeper} records each sleep and moves the
 * clock forward by it instead of waiting. Time passes only when a stage sleeps or a test {@linkplain #advance
 * advances} it, so deadlines and backoff are exact and no test waits on the wall clock. Thread-safe.
 */
final class VirtualTime implements Sleeper, Ticker {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L); // any origin: only differences matter
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<Consumer<Duration>> onSleep = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        nanos.addAndGet(duration.toNanos());
        onSleep.forEach(action -> action.accept(duration));
    }

    /** Moves the clock forward without a sleep (time spent elsewhere, e.g. in a slow request). */
    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    /** Runs {@code action} after each sleep, on the sleeping thread: what the "cluster" does meanwhile. */
    VirtualTime onSleep(Consumer<Duration> action) {
        onSleep.add(action);
        return this;
    }

    /** Every sleep so far, in order. */
    List<Duration> sleeps() {
        return new ArrayList<>(sleeps);
    }

    /** A deadline {@code timeout} from now on this clock. */
    Deadline deadline(Duration timeout) {
        return Deadline.after(timeout, this);
    }

    static List<Duration> millis(long... values) {
        List<Duration> result = new ArrayList<>();
        for (long v : values) {
            result.add(Duration.ofMillis(v));
        }
        return result;
    }
}
