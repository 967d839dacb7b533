package dev.kubeteardown;

/** The API server's discovery documents ({@code /api}, {@code /apis}) could not be read, so no name can be resolved. */
public class DiscoveryFailedException extends KubeTeardownException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;

    public DiscoveryFailedException(int httpStatus, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status of the failed request, 0 when the server was not reached or did not answer in time. */
    public int httpStatus() {
        return httpStatus;
    }
}
