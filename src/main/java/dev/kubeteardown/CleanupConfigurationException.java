package dev.kubeteardown;

/**
 * The cleanup could not start because of its configuration or environment: the API server is unreachable, the
 * credentials are refused, listing is forbidden, or a required resource type or namespace is missing.
 * Nothing was deleted when this is thrown.
 */
public class CleanupConfigurationException extends KubeTeardownException {

    private static final long serialVersionUID = 1L;

    public CleanupConfigurationException(String message) {
        super(message);
    }

    public CleanupConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
