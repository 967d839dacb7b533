package dev.kubeteardown;

/**
 * One object a run waits on: its delete was accepted (or someone else was already deleting it when it was listed).
 *
 * @param ref        the object as last seen (finalizers and deletionTimestamp are refreshed while waiting)
 * @param attempts   requests sent for it so far
 * @param startNanos when its first request was sent
 * @param note       what happened on the way (retries, finalizers removed), for the outcome's detail
 * @param byThisRun  whether this run sent the delete; an object someone else was already deleting when it was
 *                   listed is waited for but, once gone, is {@code ALREADY_GONE}, not {@code DELETED}
 */
record PendingDeletion(ObjectRef ref, int attempts, long startNanos, String note, boolean byThisRun) {

    PendingDeletion seen(ObjectRef latest) {
        return new PendingDeletion(latest, attempts, startNanos, note, byThisRun);
    }

    /** After this run removed its finalizers: this run's doing from now on, whatever happened before. */
    PendingDeletion released(int moreAttempts, String why) {
        return new PendingDeletion(ref, attempts + moreAttempts, startNanos, why, true);
    }

    /** The same object with {@code why} in place of its note. */
    PendingDeletion withNote(String why) {
        return new PendingDeletion(ref, attempts, startNanos, why, byThisRun);
    }

    Outcome.Status statusWhenGone() {
        return byThisRun ? Outcome.Status.DELETED : Outcome.Status.ALREADY_GONE;
    }

    /** {@code base}, followed by the note when there is one. */
    String detail(String base) {
        return note.isEmpty() ? base : base + "; " + note;
    }
}
