package dev.kubeteardown;

import com.google.gson.JsonObject;

/**
 * Deletes one object with a UID precondition (so a same-name object created after the list is never touched),
 * retrying per {@link RetryPolicy}, and either decides its outcome or hands it to the waiter.
 */
final class Deleter {

    private final CleanupSpec spec;
    private final KubeApi api;
    private final Retrier retrier;
    private final OutcomeLedger ledger;

    Deleter(CleanupSpec spec, KubeApi api, Retrier retrier, OutcomeLedger ledger) {
        this.spec = spec;
        this.api = api;
        this.retrier = retrier;
        this.ledger = ledger;
    }

    /** Returns the object to wait for, or {@code null} when its outcome is already decided. */
    PendingDeletion delete(ObjectRef ref, Deadline deadline) throws InterruptedException {
        long start = deadline.nanoTime();
        if (deadline.isExpired()) {
            ledger.decide(
                    ref, Outcome.Status.FAILED, "not deleted: the deadline was reached before its turn", 0, start, 0);
            return null;
        }
        boolean serverDryRun = spec.dryRun() == DryRun.SERVER;
        int attempts = 0;
        if (!spec.delete().labelsBeforeDelete().isEmpty()) {
            Retrier.Exchange patched = retrier.send(
                    "label " + ref.qualifiedName(),
                    () -> api.mergePatch(
                            spec.type(), ref.namespace(), ref.name(), labelPatch(ref), serverDryRun, deadline),
                    deadline);
            attempts += patched.attempts();
            Classifier.Verdict verdict = Classifier.classify(patched, "patch", spec.type(), ref);
            if (verdict instanceof Classifier.Final f) {
                ledger.decide(
                        ref, f.status(), "labelling before delete: " + f.detail(), attempts, start, f.httpStatus());
                return null;
            }
        }
        ledger.deleteSent(ref);
        Retrier.Exchange deleted = retrier.send(
                "delete " + ref.qualifiedName(),
                () -> api.delete(
                        spec.type(),
                        ref.namespace(),
                        ref.name(),
                        ref.uid(),
                        spec.delete().propagation(),
                        spec.delete().gracePeriod(),
                        serverDryRun,
                        deadline),
                deadline,
                true);
        attempts += deleted.attempts();
        Classifier.Verdict verdict = Classifier.classify(deleted, "delete", spec.type(), ref, serverDryRun);
        if (verdict instanceof Classifier.Final f) {
            ledger.decide(ref, f.status(), f.detail(), attempts, start, f.httpStatus());
            return null;
        }
        String note = deleted.retries().isEmpty() ? "" : "retried after " + deleted.retries();
        if (serverDryRun) {
            ledger.decide(
                    ref,
                    Outcome.Status.WOULD_DELETE,
                    "server-side dry run accepted the delete" + (note.isEmpty() ? "" : "; " + note),
                    attempts,
                    start,
                    deleted.code());
            return null;
        }
        ObjectRef answered = verdict instanceof Classifier.Accepted accepted ? accepted.object() : null;
        ObjectRef latest = isSameObject(answered, ref) ? answered : ref;
        return new PendingDeletion(latest, attempts, start, note, true);
    }

    /** A merge patch carrying the UID, so a real server refuses it for a same-name replacement. */
    private String labelPatch(ObjectRef ref) {
        JsonObject labels = new JsonObject();
        spec.delete().labelsBeforeDelete().forEach(labels::addProperty);
        JsonObject meta = new JsonObject();
        meta.addProperty("uid", ref.uid());
        meta.add("labels", labels);
        JsonObject patch = new JsonObject();
        patch.add("metadata", meta);
        return patch.toString();
    }

    /** The delete answer is either the object (still held by finalizers) or a Status; only the object says more. */
    private static boolean isSameObject(ObjectRef answered, ObjectRef ref) {
        return answered != null && ref.uid() != null && ref.uid().equals(answered.uid());
    }
}
