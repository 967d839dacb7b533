package dev.kubeteardown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the outcomes of one run, thread-safe, and logs each as it is decided: DEBUG for the expected ones,
 * WARN for SKIPPED and STUCK, ERROR for FAILED. Also knows which listed objects have no outcome yet, so an
 * interrupted run can still report every object exactly once.
 */
final class Outcomes {

    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private final String resource;
    private final Ticker ticker;
    private final CleanupListener listener;
    private final List<Outcome> decided = new ArrayList<>();
    private final Map<String, ObjectRef> undecided = new ConcurrentHashMap<>();
    private final java.util.Set<String> deleteSent = ConcurrentHashMap.newKeySet();
    private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();

    Outcomes(ResourceType type, Ticker ticker, CleanupListener listener) {
        this.resource = type.qualifiedName();
        this.ticker = ticker;
        this.listener = listener;
    }

    /** A listed object that will get an outcome later. */
    void listed(ObjectRef ref) {
        undecided.put(key(ref), ref);
        notify(() -> listener.listed(ref.namespace(), ref.name()));
    }

    /** This run is about to send a DELETE for the object (so, once gone, it was this run that deleted it). */
    void deleteSent(ObjectRef ref) {
        deleteSent.add(key(ref));
    }

    boolean wasDeleteSent(String uid) {
        return deleteSent.contains(uid);
    }

    /**
     * Decides a listed object's outcome once: the first decision claims it (a worker finishing while an interrupted
     * run fails what is left cannot report it twice); later ones are ignored.
     */
    void decide(ObjectRef ref, Outcome.Status status, String detail, int attempts, long startNanos, int httpStatus) {
        String key = key(ref);
        if (undecided.remove(key) == null) {
            return;
        }
        if (status != Outcome.Status.FAILED) {
            deleteSent.remove(key); // only a FAILED object's delete matters later (the re-check)
        }
        Duration took = startNanos == 0 ? Duration.ZERO : Duration.ofNanos(ticker.nanoTime() - startNanos);
        add(new Outcome(
                resource,
                ref.namespace(),
                ref.name(),
                ref.uid(),
                status,
                detail,
                attempts,
                took,
                httpStatus,
                ref.finalizers(),
                ref.deletionTimestamp()));
    }

    /** An outcome about the whole scope (resource type not served, namespace missing, listing cut short). */
    void scope(String namespace, Outcome.Status status, String detail, int httpStatus) {
        add(new Outcome(resource, namespace, "", "", status, detail, 0, Duration.ZERO, httpStatus, List.of(), null));
    }

    /** A fact about the scope that concerns no single object; logged at WARN. */
    void note(String note) {
        notes.add(note);
        LOG.warn("{}", note);
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    /** Every listed object without an outcome becomes FAILED with this reason (interrupt, unexpected error). */
    void failUndecided(String reason) {
        for (ObjectRef ref : List.copyOf(undecided.values())) {
            decide(ref, Outcome.Status.FAILED, reason, 0, 0, 0);
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
            notify(() -> listener.decided(updated));
        }
    }

    private void add(Outcome o) {
        synchronized (this) {
            decided.add(o);
        }
        log(o);
        notify(() -> listener.decided(o));
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
        switch (o.status()) {
            case FAILED:
                LOG.error("{}", o);
                break;
            case STUCK:
            case SKIPPED:
                LOG.warn("{}", o);
                break;
            default:
                LOG.debug("{}", o);
        }
    }

    private static String key(ObjectRef ref) {
        return ref.uid() == null || ref.uid().isEmpty() ? ref.qualifiedName() : ref.uid();
    }
}
