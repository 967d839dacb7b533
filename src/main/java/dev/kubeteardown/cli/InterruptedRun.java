package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupReport;
import java.util.ArrayList;
import java.util.List;

/**
 * A run cut short by an interrupt (Ctrl-C: {@link Main}'s shutdown hook interrupts the command's thread): the reports
 * of what was done, the last one partial. The command prints them as it would a finished run, then exits
 * {@value Main#NOT_CLEAN}.
 */
final class InterruptedRun extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<CleanupReport> reports;

    private InterruptedRun(List<CleanupReport> reports) {
        super("interrupted", null, false, false);
        this.reports = List.copyOf(reports);
    }

    /**
     * The reports finished before {@code e}, then its partial report (as its steps, when it is a plan's). The thread's
     * interrupt is consumed here: it has stopped the run, and what follows (printing, closing) must not be cut short.
     */
    static InterruptedRun of(List<CleanupReport> before, CleanupInterruptedException e) {
        Thread.interrupted();
        List<CleanupReport> reports = new ArrayList<>(before);
        reports.addAll(steps(e.report()));
        return new InterruptedRun(reports);
    }

    /** A plan's report as its steps, any other as itself. */
    static List<CleanupReport> steps(CleanupReport report) {
        return report.steps().isEmpty() ? List.of(report) : report.steps();
    }

    List<CleanupReport> reports() {
        return reports;
    }
}
