package dev.kubeteardown;

/**
 * The cleanup could not start because of its configuration or environment: the API server is unreachable, the
 * credentials are refused, listing is forbidden, or a required resource type or namespace is missing.
 * Nothing was deleted when this is thrown.
 *
 * <p>It is a {@link CleanupFailedException}, so a {@code catch} around {@code run()} sees it too: its
 * {@link #report()} holds one scope-level {@code FAILED} outcome with the HTTP code (0 when the server was not
 * reached) and the same message.
 */
public class CleanupConfigurationException extends CleanupFailedException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception for a run that could not start; {@code report} says why, as a FAILED scope outcome. */
    public CleanupConfigurationException(CleanupReport report, String message) {
        super(report, message, false);
    }
}
