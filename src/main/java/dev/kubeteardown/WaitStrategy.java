package dev.kubeteardown;

/** How a run waits until deleted objects are really gone. */
public enum WaitStrategy {
    /**
     * Watch the scope from the list's resourceVersion and react to each DELETED event; falls back to
     * {@link #POLL} when the server does not serve the watch or the resourceVersion has expired.
     */
    WATCH,
    /** List the scope with a growing interval (25 ms doubling to 1 s) until every deleted UID is absent. */
    POLL
}
