package dev.kubeteardown.junit;

/**
 * When the extension cleans up, after the shape of JUnit's {@code @TempDir} cleanup mode: keeping what a failed
 * test created is often the fastest way to debug it, and a leak is acceptable on a laptop but not in CI.
 *
 * <p>The effective mode is resolved once per run; see {@link KubeTeardownExtension#CLEANUP_MODE_PROPERTY} for the
 * precedence of the configuration parameter over the mode set in code.
 */
public enum CleanupMode {

    /** Use the configured mode: {@value KubeTeardownExtension#CLEANUP_MODE_PROPERTY} if set, else {@link #ALWAYS}. */
    DEFAULT,

    /** Clean up after every test (or class), whether it passed or failed. */
    ALWAYS,

    /** Clean up only when the test (or, after all tests, every test of the class) succeeded; keep a failure's objects. */
    ON_SUCCESS,

    /** Never clean up: the objects stay, and each skip is logged and reported. */
    NEVER
}
