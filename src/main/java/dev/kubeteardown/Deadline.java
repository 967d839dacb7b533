package dev.kubeteardown;

import java.time.Duration;

/** The single deadline of a run, created once at its start and passed down; no stage invents its own timeout. */
final class Deadline {

    /** The look after the deadline that keeps gone objects from being reported STUCK may take this long at most. */
    static final Duration FINAL_CHECK = Duration.ofSeconds(2);

    private final Ticker ticker;
    private final long startNanos;
    private final long deadlineNanos;

    private Deadline(Ticker ticker, long startNanos, long deadlineNanos) {
        this.ticker = ticker;
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
    }

    static Deadline after(Duration timeout, Ticker ticker) {
        long now = ticker.nanoTime();
        return new Deadline(ticker, now, now + timeout.toNanos());
    }

    /** The deadline of a run that may take {@code timeout} but was given only {@code budget}: the sooner one. */
    static Deadline within(Duration timeout, Duration budget, Ticker ticker) {
        return after(budget.compareTo(timeout) < 0 ? budget : timeout, ticker);
    }

    /** A later deadline on the same clock, for the short final check after the main deadline. */
    Deadline extendedBy(Duration grace) {
        return new Deadline(ticker, startNanos, deadlineNanos + grace.toNanos());
    }

    /** This deadline plus {@link #FINAL_CHECK}: the bound of the last look after it. */
    Deadline withFinalCheck() {
        return extendedBy(FINAL_CHECK);
    }

    Duration remaining() {
        long left = deadlineNanos - ticker.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    boolean isExpired() {
        return deadlineNanos - ticker.nanoTime() <= 0;
    }

    Duration elapsed() {
        return Duration.ofNanos(ticker.nanoTime() - startNanos);
    }

    long nanoTime() {
        return ticker.nanoTime();
    }

    /** {@code min(d, remaining)}. */
    Duration cap(Duration d) {
        Duration left = remaining();
        return d.compareTo(left) < 0 ? d : left;
    }
}
