package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per rule of the adaptive limit, on virtual time: nothing here waits. */
class ConcurrencyLimitTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long FAST = 10 * MS;

    private final VirtualTime time = new VirtualTime();

    /** An adaptive limit with every slot of {@code initial} in use. */
    private ConcurrencyLimit busy(int initial) throws InterruptedException {
        ConcurrencyLimit limit = ConcurrencyLimit.adaptive(initial, time);
        fill(limit);
        return limit;
    }

    private static void fill(ConcurrencyLimit limit) throws InterruptedException {
        int target = limit.limit();
        for (int i = 0; i < target; i++) {
            limit.acquire(); // never blocks: fewer than the limit are in flight
        }
    }

    /** {@code n} fast successful answers, each one round trip after the last. */
    private void answers(ConcurrencyLimit limit, int n, long latency) {
        for (int i = 0; i < n; i++) {
            time.advance(Duration.ofNanos(latency));
            limit.answered(200, latency);
        }
    }

    @Test
    @DisplayName("a fixed limit ignores every answer")
    void fixedNeverMoves() {
        ConcurrencyLimit limit = ConcurrencyLimit.fixed(8);
        for (int i = 0; i < 100; i++) {
            limit.answered(i % 2 == 0 ? 429 : 200, i * 100 * MS);
        }
        assertEquals(8, limit.limit());
        CleanupReport.Parallelism p = limit.snapshot();
        assertFalse(p.adaptive());
        assertEquals(new CleanupReport.Parallelism(false, 8, 8, 8, 8, 50), p);
    }

    @Test
    @DisplayName("in use and answered fast, the limit grows by one per answer (slow start)")
    void slowStartGrowsPerAnswer() throws InterruptedException {
        ConcurrencyLimit limit = busy(8);
        answers(limit, 8, FAST);
        assertEquals(16, limit.limit());
    }

    @Test
    @DisplayName("the limit does not grow while most of it is unused")
    void unusedLimitDoesNotGrow() throws InterruptedException {
        ConcurrencyLimit limit = ConcurrencyLimit.adaptive(8, time);
        for (int i = 0; i < 3; i++) {
            limit.acquire(); // 3 of 8: the list, not the limit, holds the run back
        }
        answers(limit, 100, FAST);
        assertEquals(8, limit.limit());
    }

    @ParameterizedTest(name = "answer {0}")
    @ValueSource(ints = {429, 500, 503, 0})
    @DisplayName("a throttled or failed answer (429, 5xx, I/O error) halves the limit")
    void throttleHalves(int code) throws InterruptedException {
        ConcurrencyLimit limit = busy(16);
        limit.answered(code, MS);
        assertEquals(8, limit.limit());
        assertEquals(1, limit.snapshot().throttled());
    }

    @Test
    @DisplayName("429s to requests sent before the limit was halved do not halve it again; a later request's do")
    void throttleOncePerRoundTrip() throws InterruptedException {
        ConcurrencyLimit limit = busy(32);
        answers(limit, 1, FAST);
        assertEquals(33, limit.limit());
        for (int i = 0; i < 10; i++) {
            time.advance(Duration.ofMillis(1));
            limit.answered(429, 20 * MS); // one window: all sent before the first was answered
        }
        assertEquals(16, limit.limit());
        time.advance(Duration.ofMillis(5));
        limit.answered(429, 5 * MS); // sent after the decrease
        assertEquals(8, limit.limit());
        assertEquals(11, limit.snapshot().throttled());
    }

    @Test
    @DisplayName("after a decrease the limit grows by about one per round trip, not one per answer")
    void congestionAvoidanceAfterDecrease() throws InterruptedException {
        ConcurrencyLimit limit = busy(32);
        limit.answered(429, MS);
        assertEquals(16, limit.limit());
        answers(limit, 8, FAST); // half a window: slow start would have added 8
        assertEquals(16, limit.limit());
        answers(limit, 12, FAST); // a window and a bit
        assertEquals(17, limit.limit());
    }

    @Test
    @DisplayName("latency rising above twice its baseline shrinks the limit by a tenth, once per window")
    void risingLatencyShrinks() throws InterruptedException {
        ConcurrencyLimit limit = busy(32);
        answers(limit, 20, FAST); // baseline 10 ms; slow start to 52
        for (int i = 0; i < 5; i++) {
            limit.answered(200, 60 * MS); // queueing: the smoothed latency passes 2 x 10 ms + 5 ms at the fourth
        }
        assertEquals((int) (55 * 0.9), limit.limit()); // three more before the signal, then one decrease
        time.advance(Duration.ofMillis(60));
        limit.answered(200, 60 * MS);
        assertEquals((int) (55 * 0.9 * 0.9), limit.limit());
        assertEquals(0, limit.snapshot().throttled());
    }

    @Test
    @DisplayName("latency alone never takes the limit below where it started; a 429 does")
    void latencyStopsAtTheStart() throws InterruptedException {
        ConcurrencyLimit limit = busy(8);
        answers(limit, 2, FAST);
        assertEquals(10, limit.limit());
        answers(limit, 100, 500 * MS);
        assertEquals(8, limit.limit());
        limit.answered(429, MS);
        assertEquals(4, limit.limit());
    }

    @Test
    @DisplayName("latency that stays flat at any level lets the limit grow")
    void flatLatencyGrows() throws InterruptedException {
        ConcurrencyLimit limit = busy(8);
        answers(limit, 8, 200 * MS);
        assertEquals(16, limit.limit());
    }

    @Test
    @DisplayName("the limit never goes below 1, however long the server throttles")
    void neverBelowOne() throws InterruptedException {
        ConcurrencyLimit limit = busy(8);
        for (int i = 0; i < 50; i++) {
            time.advance(Duration.ofSeconds(1));
            limit.answered(429, MS);
        }
        assertEquals(1, limit.limit());
        assertEquals(1, limit.snapshot().min());
    }

    @Test
    @DisplayName("slow start stops at 64 even without congestion; beyond it the limit grows by one per round trip")
    void slowStartStopsAtItsCeiling() throws InterruptedException {
        ConcurrencyLimit limit = busy(60);
        answers(limit, 10, FAST);
        assertEquals(ConcurrencyLimit.SLOW_START_CEILING, limit.limit(), "4 answers to 64, then 6 add less than one");
        for (int i = 60; i < ConcurrencyLimit.SLOW_START_CEILING; i++) {
            limit.acquire(); // the grown limit in use
        }
        answers(limit, 64, FAST); // one round trip's worth of answers at 64
        assertEquals(ConcurrencyLimit.SLOW_START_CEILING + 1, limit.limit());
    }

    @Test
    @DisplayName("the limit never goes above 256, however fast the server answers")
    void neverAboveTheMaximum() throws InterruptedException {
        ConcurrencyLimit limit = busy(8);
        int inFlight = 8;
        for (int i = 0; i < 100_000 && limit.limit() < ConcurrencyLimit.MAX; i++) {
            limit.answered(200, FAST);
            for (; inFlight < limit.limit(); inFlight++) {
                limit.acquire(); // keep the grown limit in use
            }
        }
        answers(limit, 1000, FAST);
        assertEquals(256, limit.limit());
        assertEquals(256, limit.snapshot().peak());
    }

    @Test
    @DisplayName("the snapshot says where the limit started, ended, and its low and high points")
    void snapshotRecordsTheRange() throws InterruptedException {
        ConcurrencyLimit limit = busy(8);
        answers(limit, 8, FAST); // 16
        limit.answered(503, MS); // 8
        time.advance(Duration.ofMillis(20));
        limit.answered(429, MS); // 4
        assertEquals(new CleanupReport.Parallelism(true, 8, 4, 4, 16, 2), limit.snapshot());
        assertEquals(
                "adaptive 8 -> 4 (min 4, peak 16, 2 throttled)",
                limit.snapshot().toString());
    }
}
