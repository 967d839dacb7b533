package dev.kubeteardown;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcomes of one run, thread-safe: each listed object is decided exactly once, and each decision is logged
 * at its status's {@linkplain Outcome.Status#severity() severity} and passed to the listener as it is made. Also
 * knows which listed objects have no outcome yet, so an interrupted run can still report every object once.
 */
final class OutcomeLedger {

    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private final CleanupSpec spec;
    private final Deadline deadline;
    /** Every outcome's resource: one instance for the run. */
    private final String resource;
    /** What outcomes have in common (namespace, details, deletion timestamps), one instance each. */
    private final SharedStrings shared = new SharedStrings();

    private final List<Outcome> decided = new ArrayList<>();
    private final Map<String, ObjectRef> undecided = new ConcurrentHashMap<>();
    private final Set<String> deleteSent = ConcurrentHashMap.newKeySet();
    private final List<String> notes = new CopyOnWriteArrayList<>();

    /** @param deadline the run's deadline, whose start the report's duration is measured from */
    OutcomeLedger(CleanupSpec spec, Deadline deadline) {
        this.spec = spec;
        this.deadline = deadline;
        this.resource = spec.type().qualifiedName();
    }

    /** A listed object that will get an outcome later. */
    void listed(ObjectRef ref) {
        undecided.put(ref.identity(), ref);
        notify(() -> spec.hooks().listener().listed(ref.namespace(), ref.name()));
    }

    /** Objects the ledger keeps per identity (listed but undecided, deletes sent that failed). */
    // for testing
    int tracked() {
        return undecided.size() + deleteSent.size();
    }

    /** This run is about to send a DELETE for the object (so, once gone, it was this run that deleted it). */
    void deleteSent(ObjectRef ref) {
        deleteSent.add(ref.identity());
    }

    /** Whether this run sent a DELETE for the object with this {@linkplain ObjectRef#identity() identity}. */
    boolean wasDeleteSent(String identity) {
        return deleteSent.contains(identity);
    }

    /** Decides an outcome that took no request of this run (dry run, a failure before any request). */
    void decide(ObjectRef ref, Outcome.Status status, String detail) {
        decide(ref, status, detail, 0, 0, 0);
    }

    /**
     * Decides a listed object's outcome once: the first decision claims it (a worker finishing while an interrupted
     * run fails what is left cannot report it twice); later ones are ignored.
     *
     * @param startNanos when its first request was sent, 0 when none was
     */
    void decide(ObjectRef ref, Outcome.Status status, String detail, int attempts, long startNanos, int httpStatus) {
        String key = ref.identity();
        if (undecided.remove(key) == null) {
            return;
        }
        if (status != Outcome.Status.FAILED) {
            deleteSent.remove(key); // only a FAILED object's delete matters later (the re-check)
        }
        long tookNanos = startNanos == 0 ? 0 : deadline.nanoTime() - startNanos;
        add(new Outcome(
                resource,
                ref.namespace(),
                ref.name(),
                ref.uid(),
                status,
                detail,
                attempts,
                tookNanos,
                httpStatus,
                List.copyOf(ref.finalizers()),
                ref.deletionTimestamp(),
                shared));
    }

    /** An outcome about the whole scope (resource type not served, namespace missing, listing cut short). */
    void scope(Outcome.Status status, String detail, int httpStatus) {
        add(Outcome.forScope(resource, spec.requestNamespace(), status, detail, httpStatus));
    }

    /** A fact about the scope that concerns no single object; logged at WARN. */
    void note(String note) {
        notes.add(note);
        LOG.warn("{}", note);
    }

    /** Every listed object without an outcome becomes FAILED with this reason (interrupt, unexpected error). */
    void failUndecided(String reason) {
        for (ObjectRef ref : List.copyOf(undecided.values())) {
            decide(ref, Outcome.Status.FAILED, reason);
        }
    }

    synchronized List<Outcome> snapshot() {
        return List.copyOf(decided);
    }

    /** Replaces a decided outcome (a FAILED object later confirmed gone). */
    synchronized void replace(Outcome old, Outcome updated) {
        int i = decided.indexOf(old);
        if (i >= 0) {
            decided.set(i, updated);
            log(updated);
            notify(() -> spec.hooks().listener().decided(updated));
        }
    }

    /** The run's report as it stands. */
    CleanupReport report() {
        return new CleanupReport(
                spec.type().toString(), spec.scopeDescription(), snapshot(), deadline.elapsed(), List.copyOf(notes));
    }

    /** The run cannot start: the reason becomes a FAILED scope outcome of the report the exception carries. */
    CleanupConfigurationException cannotStart(String message, int httpStatus) {
        scope(Outcome.Status.FAILED, message, httpStatus);
        return new CleanupConfigurationException(report(), message);
    }

    private void add(Outcome o) {
        synchronized (this) {
            decided.add(o);
        }
        log(o);
        notify(() -> spec.hooks().listener().decided(o));
    }

    /** A listener's failure must not change a run's outcome. */
    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("cleanup listener failed: {}", e.toString());
        }
    }

    private static void log(Outcome o) {
        LOG.atLevel(o.status().severity()).log("{}", o);
    }
}
