package dev.kubeteardown.reliability;

import dev.kubeteardown.CleanupListener;
import dev.kubeteardown.Outcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** When each outcome was decided (and re-decided), as the engine's listener tells it. */
final class DecisionLog implements CleanupListener {

    /** One call of {@link #decided(Outcome)}. */
    record Decision(Outcome outcome, long nanos, String thread) {}

    private final Map<String, Decision> first = new ConcurrentHashMap<>();
    private volatile long closedAtNanos = Long.MAX_VALUE;
    private final List<Decision> late = new CopyOnWriteArrayList<>();

    @Override
    public void decided(Outcome outcome) {
        Decision d =
                new Decision(outcome, System.nanoTime(), Thread.currentThread().getName());
        if (!outcome.isScopeOutcome()) {
            first.putIfAbsent(outcome.uid(), d);
        }
        if (d.nanos() > closedAtNanos) {
            late.add(d);
        }
    }

    /** From now on, every decision is one made after the run returned. */
    void runReturned(long nanos) {
        closedAtNanos = nanos;
    }

    /** The first decision for this UID, or null. */
    Decision firstFor(String uid) {
        return first.get(uid);
    }

    /** Decisions made after the run had returned its report: a worker still at work. */
    List<Decision> late() {
        return List.copyOf(late);
    }
}
