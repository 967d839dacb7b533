package dev.kubeteardown;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opt-in escape hatch for objects STUCK because their controller is gone: removes their finalizers with a
 * merge patch checked against the resourceVersion last seen, then waits a short grace for them to go.
 */
final class FinalizerRemover {

    private static final Logger LOG = LoggerFactory.getLogger(FinalizerRemover.class);

    private final CleanupSpec spec;
    private final KubeApi api;
    private final Retrier retrier;
    private final GoneWaiter waiter;
    private final RunExecutor executor;

    FinalizerRemover(CleanupSpec spec, KubeApi api, Retrier retrier, GoneWaiter waiter, RunExecutor executor) {
        this.spec = spec;
        this.api = api;
        this.retrier = retrier;
        this.waiter = waiter;
        this.executor = executor;
    }

    /**
     * Removes the finalizers of everything still pending after {@code deadline}, then waits for those objects to
     * go. An object whose patch is refused is decided STUCK at once, saying why; one already gone is DELETED.
     */
    void release(PendingDeletions pending, Deadline deadline) throws InterruptedException {
        Deadline grace = deadline.extendedBy(spec.delete().removeFinalizersAfterDeadline());
        for (PendingDeletion p : pending.snapshot()) {
            ObjectRef ref = p.ref();
            LOG.warn(
                    "Removing finalizers {} from {} {} after the deadline (removeFinalizersAfterDeadline): what they"
                            + " protect is not cleaned up",
                    ref.finalizers(),
                    spec.type().qualifiedName(),
                    ref.qualifiedName());
            // on a pool thread, as all blocking I/O of a run: an interrupt then stops the escape hatch at once
            Retrier.Exchange patched = executor.io(() -> retrier.send(
                    "remove finalizers of " + ref.qualifiedName(),
                    () -> api.mergePatch(spec.type(), ref.namespace(), ref.name(), patch(ref), false, grace),
                    grace));
            Classifier.Verdict verdict = Classifier.classify(patched, "patch", spec.type(), ref);
            PendingDeletion released = p.released(
                    patched.attempts(),
                    "finalizers " + ref.finalizers()
                            + " removed by kube-teardown after the deadline (removeFinalizersAfterDeadline);"
                            + " what they protected was not cleaned up");
            if (verdict instanceof Classifier.Final f) {
                if (f.status() == Outcome.Status.ALREADY_GONE && f.httpStatus() == 404) {
                    pending.resolve(
                            released, Outcome.Status.DELETED, "confirmed gone (404) when removing its finalizers");
                } else {
                    // the object changed since it was last seen (409) or the patch was refused: STUCK, saying why
                    String why = f.httpStatus() == 409
                            ? "the object changed since it was last seen (409 Conflict: "
                                    + patched.result().message() + ")"
                            : f.detail();
                    pending.stuck(p.released(patched.attempts(), "finalizer removal refused: " + why));
                }
                continue;
            }
            pending.update(released);
        }
        waiter.await(pending, null, grace);
        waiter.confirm(pending, grace.withFinalCheck());
    }

    /** Clears the finalizers only if the object is unchanged since it was last seen (resourceVersion). */
    private static String patch(ObjectRef ref) {
        JsonObject meta = new JsonObject();
        meta.add("finalizers", JsonNull.INSTANCE);
        meta.addProperty("uid", ref.uid());
        if (ref.resourceVersion() != null) {
            meta.addProperty("resourceVersion", ref.resourceVersion());
        }
        JsonObject patch = new JsonObject();
        patch.add("metadata", meta);
        return patch.toString();
    }
}
