package dev.kubeteardown;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects a run waits on, by {@linkplain ObjectRef#identity() identity}: the one owner of that set and of its
 * transitions. {@link Deleter} (through the run) adds to it, {@link GoneWaiter} refreshes and drains it as objects
 * go, {@link FinalizerRemover} releases what is left, and whatever remains at the end is {@code STUCK}. Each
 * transition decides the object's outcome in the run's {@link OutcomeLedger}. Thread-safe.
 */
final class PendingDeletions {

    private final Map<String, PendingDeletion> byIdentity = new ConcurrentHashMap<>();
    private final OutcomeLedger ledger;
    private final Duration timeout;

    /** @param timeout the run's timeout, named in the detail of what is still there at its deadline */
    PendingDeletions(OutcomeLedger ledger, Duration timeout) {
        this.ledger = ledger;
        this.timeout = timeout;
    }

    /** A fact about the wait that concerns no single object, e.g. that it had to poll because watch is forbidden. */
    void note(String note) {
        ledger.note(note);
    }

    void add(PendingDeletion pending) {
        byIdentity.put(pending.ref().identity(), pending);
    }

    boolean isEmpty() {
        return byIdentity.isEmpty();
    }

    /** A live, read-only view of the identities still waited on. */
    Set<String> identities() {
        return Collections.unmodifiableSet(byIdentity.keySet());
    }

    /** The objects still waited on, as they are now. */
    List<PendingDeletion> snapshot() {
        return List.copyOf(byIdentity.values());
    }

    /** The object is still there: keep its latest finalizers and deletionTimestamp for the report. */
    void seen(ObjectRef latest) {
        byIdentity.computeIfPresent(latest.identity(), (k, p) -> p.seen(latest));
    }

    /** The object went; {@code how} says how that was confirmed. Ignored when it is not waited on (any more). */
    void gone(ObjectRef latest, String how) {
        PendingDeletion p = byIdentity.remove(latest.identity());
        if (p != null) {
            decide(p.seen(latest), p.statusWhenGone(), p.detail(how));
        }
    }

    /** One full look at the scope: what is not in {@code present} (by identity) is gone, the rest is refreshed. */
    void reconcile(Map<String, ObjectRef> present, String how) {
        for (String identity : List.copyOf(byIdentity.keySet())) {
            ObjectRef latest = present.get(identity);
            if (latest != null) {
                seen(latest);
            } else {
                PendingDeletion p = byIdentity.remove(identity);
                if (p != null) {
                    decide(p, p.statusWhenGone(), p.detail(how));
                }
            }
        }
    }

    /** Replaces what is known of a waited-on object (its finalizers were removed). */
    void update(PendingDeletion updated) {
        byIdentity.replace(updated.ref().identity(), updated);
    }

    /** Stops waiting on the object and decides it now. */
    void resolve(PendingDeletion p, Outcome.Status status, String detail) {
        if (byIdentity.remove(p.ref().identity()) != null) {
            decide(p, status, detail);
        }
    }

    /** Stops waiting on the object: it is still there at the deadline. */
    void stuck(PendingDeletion p) {
        resolve(
                p,
                Outcome.Status.STUCK,
                p.detail("still present at the deadline (" + timeout.toMillis() + " ms): "
                        + p.ref().holdDescription()));
    }

    /** Everything still waited on is {@code STUCK}. */
    void stuckAll() {
        snapshot().forEach(this::stuck);
    }

    private void decide(PendingDeletion p, Outcome.Status status, String detail) {
        ledger.decide(p.ref(), status, detail, p.attempts(), p.startNanos(), 0);
    }
}
