package dev.kubeteardown;

/**
 * The thread running a cleanup was interrupted: requests in flight were cancelled, objects not yet
 * confirmed are reported {@code FAILED} ("interrupted"), and the thread's interrupt flag is set again.
 */
public class CleanupInterruptedException extends CleanupFailedException {

    private static final long serialVersionUID = 1L;

    public CleanupInterruptedException(CleanupReport report) {
        super(report, "Cleanup of " + report.resource() + " in " + report.scope() + " was interrupted");
    }
}
