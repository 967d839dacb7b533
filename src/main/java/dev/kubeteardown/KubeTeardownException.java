package dev.kubeteardown;

/** Base of every exception this library throws; unchecked, so callers who want typed results use {@code execute()}. */
public class KubeTeardownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KubeTeardownException(String message) {
        super(message);
    }

    public KubeTeardownException(String message, Throwable cause) {
        super(message, cause);
    }
}
