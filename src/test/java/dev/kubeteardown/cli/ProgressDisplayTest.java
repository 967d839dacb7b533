package dev.kubeteardown.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kubeteardown.Outcome;
import dev.kubeteardown.Outcome.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The progress of a step as a CI log shows it (a writer that is not a terminal), on a clock the test moves. */
class ProgressDisplayTest {

    private final StringWriter text = new StringWriter();
    private final AtomicLong now = new AtomicLong();
    private final ProgressDisplay display =
            new ProgressDisplay(new PrintWriter(text, true), false, "backups", now::get);

    private static Outcome outcome(String name, Status status) {
        return new Outcome(
                "backups.longhorn.io", "ns", name, "uid-" + name, status, "", 1, Duration.ZERO, 0, List.of(), null);
    }

    private List<String> lines() {
        return text.toString().lines().toList();
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    @DisplayName(
            "a step whose last event was already shown (an unreachable server) ends with no second, identical line")
    void oneLineWhenNothingChanged() {
        advance(Duration.ofSeconds(3)); // the retries of an unreachable server take a while
        display.decided(Outcome.forScope("backups.longhorn.io", "ns", Status.FAILED, "cannot reach", 0));
        display.close();
        assertEquals(List.of("  backups: 1/1 decided (FAILED 1)"), lines());
    }

    @Test
    @DisplayName("objects confirmed gone in a burst during the wait are shown at the next tick, not only at the end")
    void movesDuringTheWait() {
        for (String name : List.of("a", "b", "c")) {
            display.listed("ns", name);
        }
        advance(Duration.ofSeconds(2));
        display.decided(outcome("a", Status.DELETED)); // drawn: an interval has passed
        display.decided(outcome("b", Status.DELETED)); // one list confirms two at once: throttled
        display.decided(outcome("c", Status.DELETED));
        assertEquals(List.of("  backups: 1/3 decided (DELETED 1)"), lines());

        advance(Duration.ofSeconds(2));
        display.tick(); // the timer, while the step still waits
        assertEquals(List.of("  backups: 1/3 decided (DELETED 1)", "  backups: 3/3 decided (DELETED 3)"), lines());

        display.close();
        assertEquals(2, lines().size(), "the end repeats nothing: " + lines());
    }
}
