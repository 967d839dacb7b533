package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import java.util.List;

/**
 * The cleanup after a test (or after all tests) is not clean: its message lists every {@code FAILED} and
 * {@code STUCK} object of every step, sorted by namespace and name, and every step that could not run. Each such
 * object is attached as a suppressed {@link CleanupFailedException.ObjectCleanupException}, followed by the exception
 * of each step that threw (so no stack trace is lost).
 *
 * <p>It extends {@link CleanupFailedException} rather than {@link AssertionError}: a leak is an error of the test's
 * environment, not an assertion about the code under test (reports count it as an error, not a failure), and
 * callers can treat it like the engine's own {@code run()} failure, {@link #report()} included. When the test
 * itself failed, JUnit adds this exception to the test's exception as suppressed; the test's failure comes first.
 */
public class KubeTeardownFailedException extends CleanupFailedException {

    private static final long serialVersionUID = 1L;

    private final transient List<Throwable> stepFailures;

    /**
     * @param report       the combined report of every step, with a {@code FAILED} scope outcome for each step that
     *                     threw
     * @param headline     the first line of the message; the problems are listed after it
     * @param stepFailures the exceptions of the steps that threw, in step order
     */
    public KubeTeardownFailedException(CleanupReport report, String headline, List<? extends Throwable> stepFailures) {
        super(report, headline);
        this.stepFailures = List.copyOf(stepFailures);
        this.stepFailures.forEach(this::addSuppressed);
    }

    /** The exceptions thrown by steps (or while building them), in step order; empty when every step reported. */
    public List<Throwable> stepFailures() {
        return stepFailures;
    }
}
