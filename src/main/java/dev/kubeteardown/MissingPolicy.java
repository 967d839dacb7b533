package dev.kubeteardown;

/** What a run does when its resource type is not served or its namespace does not exist. */
public enum MissingPolicy {
    /**
     * Go on and log a warning naming what is missing: a resource type not served becomes one {@code SKIPPED}
     * outcome, a missing namespace a note on the report ({@link CleanupReport#notes()}); the report stays clean.
     */
    SKIP,
    /** Throw {@link CleanupConfigurationException} naming what is missing, before anything is deleted. */
    FAIL
}
