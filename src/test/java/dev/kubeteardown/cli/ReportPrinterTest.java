package dev.kubeteardown.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.Outcome.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The text table follows {@link Status}: a column and a count for each value, examples for each but DELETED. */
class ReportPrinterTest {

    /** A report with {@code ordinal + 1} outcomes of each status, so that every column has its own count. */
    static CleanupReport reportWithEveryStatus() {
        List<Outcome> outcomes = new ArrayList<>();
        for (Status status : Status.values()) {
            for (int i = 0; i <= status.ordinal(); i++) {
                String name = status.name().toLowerCase().replace('_', '-') + "-" + i;
                outcomes.add(new Outcome(
                        "backups.longhorn.io",
                        "ns",
                        name,
                        "uid-" + name,
                        status,
                        "why " + name,
                        1,
                        Duration.ZERO,
                        0,
                        List.of(),
                        null));
            }
        }
        return new CleanupReport("backups.longhorn.io/v1beta2", "namespace ns", outcomes, Duration.ofMillis(1250));
    }

    static List<String> text(CleanupReport report) {
        StringWriter out = new StringWriter();
        new ReportPrinter(new PrintWriter(out)).text(List.of(report), false);
        return out.toString().lines().toList();
    }

    @Test
    @DisplayName("the table has one column per Outcome.Status, in its order, with that status's count right under it")
    void oneColumnPerStatus() {
        List<String> lines = text(reportWithEveryStatus());
        String header = lines.get(1);
        String row = lines.get(2);
        List<String> expected = new ArrayList<>();
        expected.add("STEP");
        Arrays.stream(Status.values()).map(Status::name).forEach(expected::add);
        expected.add("TIME");
        assertEquals(expected, List.of(header.trim().split(" +")), header);
        for (Status status : Status.values()) {
            int end = header.indexOf(" " + status.name() + " ")
                    + 1
                    + status.name().length();
            String count = Integer.toString(status.ordinal() + 1);
            assertEquals(count, row.substring(end - count.length(), end), status + " in\n" + header + "\n" + row);
            assertEquals(' ', row.charAt(end - count.length() - 1), status + " in\n" + header + "\n" + row);
        }
        assertTrue(row.startsWith("backups.longhorn.io/v1beta2 ") && row.endsWith(" 1.25 s"), row);
    }

    @Test
    @DisplayName("examples follow for every status but DELETED, each heading with its count and remark")
    void examplesForEveryStatusButDeleted() {
        List<String> lines = text(reportWithEveryStatus());
        for (Status status : Status.values()) {
            String heading = status + " (" + (status.ordinal() + 1) + ")";
            boolean shown = lines.stream().anyMatch(l -> l.startsWith(heading));
            if (status == Status.DELETED) {
                assertFalse(shown, "a plain DELETED gets no examples");
                assertTrue(ReportPrinter.remark(status).isEmpty());
            } else {
                assertTrue(lines.contains(heading + ReportPrinter.remark(status).orElseThrow() + ":"), status.name());
            }
        }
    }
}
