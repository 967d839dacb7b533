package dev.kubeteardown;

/**
 * An object whose delete the server accepted and that the run now waits on.
 *
 * @param ref        the object as last seen (finalizers and deletionTimestamp are refreshed while waiting)
 * @param attempts   requests sent for it so far
 * @param startNanos when its first request was sent
 * @param note       what happened on the way (retries), for the outcome's detail
 * @param byThisRun  whether this run sent the delete; an object someone else was already deleting when it was
 *                   listed is waited for but, once gone, is {@code ALREADY_GONE}, not {@code DELETED}
 */
record Tracked(ObjectRef ref, int attempts, long startNanos, String note, boolean byThisRun) {

    Tracked seen(ObjectRef latest) {
        return new Tracked(latest, attempts, startNanos, note, byThisRun);
    }

    Outcome.Status statusWhenGone() {
        return byThisRun ? Outcome.Status.DELETED : Outcome.Status.ALREADY_GONE;
    }
}
