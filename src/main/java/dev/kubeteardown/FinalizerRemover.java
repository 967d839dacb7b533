package dev.kubeteardown;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
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

    void release(Map<String, Tracked> pending, Deadline deadline, Outcomes outcomes) throws InterruptedException {
        Deadline grace = deadline.extendedBy(spec.removeFinalizersAfterDeadline());
        Map<String, Tracked> released = GoneWaiter.newPendingMap();
        for (String uid : List.copyOf(pending.keySet())) {
            Tracked t = pending.get(uid);
            ObjectRef ref = t.ref();
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
            Tracked updated = new Tracked(
                    ref,
                    t.attempts() + patched.attempts(),
                    t.startNanos(),
                    "finalizers " + ref.finalizers()
                            + " removed by kube-teardown after the deadline (removeFinalizersAfterDeadline);"
                            + " what they protected was not cleaned up",
                    true);
            pending.remove(uid);
            if (verdict instanceof Classifier.Final) {
                Classifier.Final f = (Classifier.Final) verdict;
                if (f.status() == Outcome.Status.ALREADY_GONE && f.httpStatus() == 404) {
                    outcomes.decide(
                            ref,
                            Outcome.Status.DELETED,
                            "confirmed gone (404) when removing its finalizers",
                            updated.attempts(),
                            t.startNanos(),
                            0);
                } else {
                    // the object changed since it was last seen (409) or the patch was refused: leave it STUCK, say why
                    String why = f.httpStatus() == 409
                            ? "the object changed since it was last seen (409 Conflict: "
                                    + patched.result().message() + ")"
                            : f.detail();
                    pending.put(
                            uid,
                            new Tracked(
                                    ref,
                                    updated.attempts(),
                                    t.startNanos(),
                                    "finalizer removal refused: " + why,
                                    t.byThisRun()));
                }
                continue;
            }
            released.put(uid, updated);
        }
        GoneWaiter.GoneListener gone = (t, how) -> outcomes.decide(
                t.ref(), Outcome.Status.DELETED, how + "; " + t.note(), t.attempts(), t.startNanos(), 0);
        waiter.await(released, null, grace, gone);
        waiter.confirm(released, grace.extendedBy(CleanupRun.FINAL_CHECK), gone);
        pending.putAll(released);
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
