package dev.kubeteardown;

/** What a run does when its resource type is not served or its namespace does not exist. */
public enum MissingPolicy {
    /** Report one {@code SKIPPED} outcome naming what is missing and log a warning; the report stays clean. */
    SKIP,
    /** Throw {@link CleanupConfigurationException} naming what is missing, before anything is deleted. */
    FAIL
}
