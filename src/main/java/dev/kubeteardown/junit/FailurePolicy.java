package dev.kubeteardown.junit;

/**
 * What a cleanup that is not clean (an object {@code FAILED} or {@code STUCK}, or a step that could not run) does to
 * the test. A 404 race ({@code ALREADY_GONE}) is clean and never reaches this policy.
 *
 * <p>The effective policy is resolved once per run; see {@link KubeTeardownExtension#FAILURE_POLICY_PROPERTY}.
 */
public enum FailurePolicy {

    /**
     * Fail the test with a {@link KubeTeardownFailedException}; when the test already failed, the cleanup failure is
     * added to the test's exception as suppressed and never replaces it. The default.
     */
    FAIL,

    /** Log the failure at WARN and publish it in the report entry; the test's result is left as it is. */
    WARN
}
