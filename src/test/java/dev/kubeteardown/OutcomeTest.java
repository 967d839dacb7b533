package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Outcome as a value: what goes in comes out, however compactly it is kept. */
class OutcomeTest {

    static Outcome outcome(String name, String detail) {
        return new Outcome(
                "backups.longhorn.io",
                "ns",
                name,
                "uid-1",
                Outcome.Status.ALREADY_GONE,
                detail,
                2,
                Duration.ofMillis(1234),
                404,
                List.of("longhorn.io"),
                "2026-12-04T14:00:00Z");
    }

    @Test
    @DisplayName("a detail reads back exactly as given, the object's name in it included")
    void detailReadsBackAsGiven() {
        for (String detail : List.of(
                "already removed: delete answered 404 Not Found (backups.longhorn.io \"b-1\" not found)",
                "\"b-1\" twice: \"b-1\", and unquoted b-1",
                "a detail with a NUL \u0000 and \"b-1\"",
                "",
                "\"b-10\" is another object")) {
            assertEquals(detail, outcome("b-1", detail).detail());
            assertEquals(
                    detail,
                    outcome("b-1", "x")
                            .withStatus(Outcome.Status.DELETED, detail)
                            .detail());
        }
    }

    @Test
    @DisplayName("every component reads back; equal components make equal outcomes, whatever the detail holds")
    void componentsReadBackAndDefineEquality() {
        List<String> finalizers = new ArrayList<>(List.of("longhorn.io"));
        Outcome o = new Outcome(
                "backups.longhorn.io",
                "ns",
                "b-1",
                "uid-1",
                Outcome.Status.STUCK,
                "held by \"b-1\"",
                3,
                Duration.ofNanos(1_234_567_891),
                0,
                finalizers,
                "2026-12-04T14:00:00Z");
        finalizers.clear();

        assertEquals("backups.longhorn.io", o.resource());
        assertEquals("ns", o.namespace());
        assertEquals("b-1", o.name());
        assertEquals("uid-1", o.uid());
        assertEquals(Outcome.Status.STUCK, o.status());
        assertEquals("held by \"b-1\"", o.detail());
        assertEquals(3, o.attempts());
        assertEquals(Duration.ofNanos(1_234_567_891), o.duration());
        assertEquals(0, o.httpStatus());
        assertEquals(List.of("longhorn.io"), o.finalizers(), "a copy of the list given");
        assertEquals("2026-12-04T14:00:00Z", o.deletionTimestamp());
        assertEquals(o, o.withStatus(Outcome.Status.STUCK, "held by \"b-1\""));
        assertEquals(
                o.hashCode(),
                o.withStatus(Outcome.Status.STUCK, "held by \"b-1\"").hashCode());
        assertNotEquals(o, o.withStatus(Outcome.Status.STUCK, "held by b-1"));
        assertEquals("STUCK backups.longhorn.io ns/b-1: held by \"b-1\"", o.toString());
    }

    @Test
    @DisplayName("absent components read as before: empty name, UID and detail, zero duration, no finalizers")
    void absentComponentsHaveTheirDefaults() {
        Outcome o = new Outcome("pods", null, null, null, Outcome.Status.SKIPPED, null, 0, null, 0, null, null);

        assertNull(o.namespace());
        assertEquals("", o.name());
        assertEquals("", o.uid());
        assertEquals("", o.detail());
        assertEquals(Duration.ZERO, o.duration());
        assertEquals(List.of(), o.finalizers());
        assertNull(o.deletionTimestamp());
    }
}
