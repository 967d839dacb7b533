package dev.kubeteardown;

/**
 * An object whose delete the server accepted and that the run now waits on.
 *
 * @param ref        the object as last seen (finalizers and deletionTimestamp are refreshed while waiting)
 * @param attempts   requests sent for it so far
 * @param startNanos when its first request was sent
 * @param note       what happened on the way (retries), for the outcome's detail
 */
record Tracked(ObjectRef ref, int attempts, long startNanos, String note) {

    Tracked seen(ObjectRef latest) {
        return new Tracked(latest, attempts, startNanos, note);
    }
}
