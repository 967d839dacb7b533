package dev.kubeteardown;

/**
 * Follows a run as it happens, e.g. to show progress on a terminal. Called from the run's worker threads:
 * implementations must be thread-safe and quick (no blocking I/O).
 */
public interface CleanupListener {

    /** Does nothing. */
    CleanupListener NONE = new CleanupListener() {};

    /** An object in scope was listed; its outcome follows later. */
    default void listed(String namespace, String name) {}

    /** An outcome was decided (for one object, or for the whole scope). */
    default void decided(Outcome outcome) {}
}
