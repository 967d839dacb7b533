package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as kubectl and Kubernetes YAML write them. */
class GoDurationTest {

    @Test
    @DisplayName("Go's forms: fractions, several units, every unit, and a bare 0")
    void goForms() {
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1s500ms"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse(".5s"));
        assertEquals(Duration.ofSeconds(2), GoDuration.parse("2.s"));
        assertEquals(Duration.ofNanos(1_002_003), GoDuration.parse("1ms2us3ns"));
        assertEquals(Duration.ofNanos(7_000), GoDuration.parse("7µs"));
        assertEquals(Duration.ofNanos(7_000), GoDuration.parse("7μs")); // Greek mu, which Go accepts too
        assertEquals(Duration.ofMinutes(30), GoDuration.parse(".5h"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse("0s"));
        assertEquals(Duration.ofSeconds(30), GoDuration.parse(" +30s "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "1x", "-1s", "1h 30m", "s", "1.2.3s", "30 s", "5 m", "1d", "9999999999h"})
    @DisplayName("anything else is an error naming the value and the expected form")
    void rejects(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(value));
        assertEquals("invalid duration '" + value + "' (use e.g. 250ms, 1.5s, 30s, 5m, 1h30m, or 0)", e.getMessage());
    }
}
