package dev.kubeteardown;

/** Whether and how a run avoids changing anything. */
public enum DryRun {
    /** Delete for real. */
    OFF,
    /** List only and report {@code WOULD_DELETE}; no mutating request is sent (works on every server). */
    CLIENT,
    /**
     * Send each delete with {@code dryRun=All}: the server runs admission and RBAC checks but persists nothing,
     * so a forbidden delete shows up as {@code FAILED}. Servers that ignore the parameter (the fabric8 mock)
     * would really delete: use {@link #CLIENT} there.
     */
    SERVER
}
