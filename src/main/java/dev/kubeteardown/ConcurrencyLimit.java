package dev.kubeteardown;

import java.util.concurrent.TimeUnit;

/**
 * How many deletes of one run may be in flight, and the gate that holds them to it. Fixed, or adaptive in the manner
 * of TCP congestion control (AIMD with a latency signal):
 *
 * <ul>
 *   <li><b>grow</b> while the limit is in use and latency stays flat: +1 per answer until the first sign of
 *       congestion or {@value #SLOW_START_CEILING} (slow start, doubling per round trip), +1 per round trip after it;
 *   <li><b>halve</b> on a throttled or failed answer (429, 5xx, I/O error);
 *   <li><b>shrink by a tenth</b> when the smoothed latency rises above twice its baseline (plus a small slack):
 *       the server is queueing, so more in flight only adds waiting. Latency alone never takes the limit below
 *       where it started: it also rises with the client's own CPU, garbage collection or a busy machine, and only
 *       the server's explicit answers (429, 5xx) justify fewer deletes than the starting point.
 * </ul>
 *
 * A decrease happens at most once per window, as in TCP: answers to requests sent before the last decrease
 * describe the load that caused it and lower the limit no further.
 *
 * The limit stays within [{@value #MIN}, {@value #MAX}]. The baseline is the lowest latency seen, drifting slowly
 * up towards the current one so a server that got slower for everyone does not pin the limit at its minimum.
 * Thread-safe.
 */
final class ConcurrencyLimit {

    static final int MIN = 1;
    static final int MAX = CleanupBuilder.MAX_PARALLELISM;

    /**
     * Where doubling per round trip stops even without a sign of congestion. On a server next door (loopback, same
     * machine) round trips take well under a millisecond, so slow start would reach the maximum before the smoothed
     * latency shows the queue it builds; beyond this, growth is one per round trip, slow enough for the latency
     * signal to keep up.
     */
    static final int SLOW_START_CEILING = 64;

    /** Latency above {@code TOLERANCE x baseline + SLACK} counts as queueing. */
    static final double TOLERANCE = 2.0;

    static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Weight of a new latency sample in the smoothed latency. */
    private static final double SMOOTHING = 0.1;
    /** How fast the baseline forgets a lower latency: a fraction of the gap per answer. */
    private static final double BASELINE_DRIFT = 0.001;

    private static final double LATENCY_DECREASE = 0.9;
    private static final double THROTTLE_DECREASE = 0.5;

    private final boolean adaptive;
    private final int initial;
    private final Ticker ticker;

    private double limit;
    private double slowStartThreshold = SLOW_START_CEILING;
    private int inFlight;
    private int min;
    private int peak;
    private long throttled;
    private double smoothedNanos = -1;
    private double baselineNanos = -1;
    private long lastDecrease = Long.MIN_VALUE;

    private ConcurrencyLimit(boolean adaptive, int initial, Ticker ticker) {
        this.adaptive = adaptive;
        this.initial = initial;
        this.ticker = ticker;
        this.limit = initial;
        this.min = initial;
        this.peak = initial;
    }

    /** Always {@code parallelism}; answers change nothing. */
    static ConcurrencyLimit fixed(int parallelism) {
        return new ConcurrencyLimit(false, parallelism, Ticker.SYSTEM);
    }

    /** Starts at {@code initial} and adapts to the answers; {@code ticker} times the once-per-round-trip rules. */
    static ConcurrencyLimit adaptive(int initial, Ticker ticker) {
        return new ConcurrencyLimit(true, Math.max(MIN, Math.min(MAX, initial)), ticker);
    }

    /** The limit now. */
    synchronized int limit() {
        return Math.max(MIN, (int) limit);
    }

    /** Waits (interruptibly) until fewer than the limit are in flight, then counts one more. */
    synchronized void acquire() throws InterruptedException {
        while (inFlight >= limit()) {
            wait();
        }
        inFlight++;
    }

    /** One fewer in flight. */
    synchronized void release() {
        inFlight--;
        notifyAll();
    }

    /** Waits (interruptibly) until nothing is in flight. */
    synchronized void awaitIdle() throws InterruptedException {
        while (inFlight > 0) {
            wait();
        }
    }

    /**
     * One answer to a request that counted against the limit: its HTTP code (0 for an I/O error) and how long it
     * took.
     */
    synchronized void answered(int code, long latencyNanos) {
        boolean throttle = code == 0 || code == 429 || code >= 500;
        if (throttle) {
            throttled++;
        }
        if (!adaptive) {
            return;
        }
        long now = ticker.nanoTime();
        if (throttle) {
            decrease(THROTTLE_DECREASE, now - latencyNanos, MIN);
            return;
        }
        smoothedNanos = smoothedNanos < 0 ? latencyNanos : smoothedNanos + SMOOTHING * (latencyNanos - smoothedNanos);
        baselineNanos = baselineNanos < 0
                ? latencyNanos
                : Math.min(latencyNanos, baselineNanos + BASELINE_DRIFT * (smoothedNanos - baselineNanos));
        if (smoothedNanos > TOLERANCE * baselineNanos + SLACK_NANOS) {
            decrease(LATENCY_DECREASE, now - latencyNanos, Math.min(initial, limit));
            return;
        }
        if (inFlight * 2 < limit()) {
            return; // the limit is not what holds the run back: no evidence that more would help
        }
        limit = Math.min(MAX, limit < slowStartThreshold ? limit + 1 : limit + 1 / limit);
        peak = Math.max(peak, limit());
        notifyAll();
    }

    private void decrease(double factor, long sent, double floor) {
        if (lastDecrease != Long.MIN_VALUE && sent < lastDecrease) {
            return; // sent before the last decrease: part of the load that caused it
        }
        double lower = Math.max(floor, limit * factor);
        if (lower >= limit) {
            return; // at the floor already: nothing decreased, so no window starts
        }
        lastDecrease = ticker.nanoTime();
        limit = lower;
        slowStartThreshold = limit;
        min = Math.min(min, limit());
    }

    /** What the limit did so far, for the report. */
    synchronized CleanupReport.Parallelism snapshot() {
        return new CleanupReport.Parallelism(adaptive, initial, limit(), min, peak, throttled);
    }
}
