package dev.kubeteardown;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Thrown by {@code run()} when a cleanup report is not clean: it carries the whole report and its message
 * lists every {@code FAILED} and {@code STUCK} object, sorted by namespace and name. Each of those objects
 * is also attached as a suppressed {@link ObjectCleanupException}, in the manner of JUnit's {@code @TempDir}
 * deletion failures.
 */
public class CleanupFailedException extends KubeTeardownException {

    private static final long serialVersionUID = 1L;

    private final transient CleanupReport report;

    /** Creates the exception for a report that is not clean. */
    public CleanupFailedException(CleanupReport report) {
        this(report, headline(report));
    }

    /** Creates the exception with a custom headline; the list of problems is appended to it. */
    protected CleanupFailedException(CleanupReport report, String headline) {
        this(report, headline, true);
    }

    /**
     * Creates the exception with a custom message, followed by the list of problems when {@code listProblems} (a
     * run that could not start has one problem, which its message already is).
     */
    protected CleanupFailedException(CleanupReport report, String message, boolean listProblems) {
        super(listProblems ? message(message, report.problems()) : message);
        this.report = Objects.requireNonNull(report, "report");
        report.problems().forEach(o -> addSuppressed(new ObjectCleanupException(o)));
    }

    /** The full report: every outcome, clean ones included. */
    public CleanupReport report() {
        return report;
    }

    private static String headline(CleanupReport report) {
        List<Outcome> problems = report.problems();
        return "Cleanup of " + report.resource() + " in " + report.scope() + " is not clean: " + problems.size()
                + " object" + (problems.size() == 1 ? "" : "s") + " FAILED or STUCK";
    }

    private static String message(String headline, List<Outcome> problems) {
        if (problems.isEmpty()) {
            return headline;
        }
        return headline + problems.stream().map(o -> "\n  " + o).collect(Collectors.joining())
                + "\n(see suppressed exceptions for details)";
    }

    /** One FAILED or STUCK object, attached as a suppressed exception. */
    public static final class ObjectCleanupException extends KubeTeardownException {

        private static final long serialVersionUID = 1L;

        private final transient Outcome outcome;

        ObjectCleanupException(Outcome outcome) {
            super(outcome.toString());
            this.outcome = outcome;
        }

        /** The outcome this exception describes. */
        public Outcome outcome() {
            return outcome;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            // the stack of the reporting thread says nothing about the object
            return this;
        }
    }
}
