package dev.kubeteardown;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
    /**
     * While listing: the decided objects that may still be on the server (so a restarted list shows them again).
     * A deleted or already gone one cannot reappear under its UID, so clean objects are not kept here.
     */
    private final Set<String> decidedWhileListing = ConcurrentHashMap.newKeySet();

    private final AtomicInteger listedCount = new AtomicInteger();
    private volatile boolean listing = true;

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

    /**
     * The identities the list has handed out, as {@link Lister#list} keeps them to hand each object out once across
     * restarts: answered from what the ledger knows anyway (the undecided objects, and the decided ones that may
     * still be there), so listing keeps no set that grows with every object. {@code add} hands an identity out once;
     * {@code isEmpty} says whether anything was; {@code clear} ends the listing. Not iterable.
     */
    Set<String> listedIdentities() {
        return new AbstractSet<>() {
            @Override
            public boolean add(String identity) {
                if (contains(identity)) {
                    return false;
                }
                listedCount.incrementAndGet();
                return true;
            }

            @Override
            public boolean contains(Object identity) {
                return undecided.containsKey(identity) || decidedWhileListing.contains(identity);
            }

            @Override
            public int size() {
                return listedCount.get();
            }

            @Override
            public void clear() {
                listing = false;
                decidedWhileListing.clear();
            }

            @Override
            public Iterator<String> iterator() {
                throw new UnsupportedOperationException("the listed identities are not kept, only looked up");
            }
        };
    }

    /** Objects the ledger keeps per identity (listed but undecided, decided while listing, deletes sent that failed). */
    // for testing
    int tracked() {
        return undecided.size() + decidedWhileListing.size() + deleteSent.size();
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
        boolean mayStillBeThere = status != Outcome.Status.DELETED && status != Outcome.Status.ALREADY_GONE;
        if (listing && mayStillBeThere) {
            decidedWhileListing.add(key); // before it leaves undecided, so a restarted list never misses it
        }
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
