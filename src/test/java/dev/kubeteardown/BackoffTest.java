package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The retry backoff: capped exponential delays, jitter that only shortens, invalid values rejected. */
class BackoffTest {

    @Test
    @DisplayName("backoff doubles from initial, caps at max, and jitter only shortens")
    void backoffIsCappedExponentialWithJitter() {
        Backoff noJitter = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), 0, 10);
        assertEquals(Duration.ofMillis(100), noJitter.delayBefore(1, new Random(1)));
        assertEquals(Duration.ofMillis(200), noJitter.delayBefore(2, new Random(1)));
        assertEquals(Duration.ofMillis(400), noJitter.delayBefore(3, new Random(1)));
        assertEquals(Duration.ofMillis(500), noJitter.delayBefore(4, new Random(1)));
        assertEquals(Duration.ofMillis(500), noJitter.delayBefore(80, new Random(1)));
        Backoff jitter = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.5, 10);
        Random random = new Random(42);
        for (int i = 0; i < 100; i++) {
            long d = jitter.delayBefore(2, random).toMillis();
            assertTrue(d >= 100 && d <= 200, "jittered delay within [100, 200]: " + d);
        }
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0, 1));
        assertThrows(
                IllegalArgumentException.class, () -> new Backoff(Duration.ofMillis(1), Duration.ofSeconds(1), 1.5, 1));
    }
}
