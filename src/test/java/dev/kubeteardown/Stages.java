package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;

/**
 * The stages of one run over a spec, wired as {@link CleanupRun} wires them, so each stage can be tested on its
 * own. The one place stage tests construct stages: when a constructor changes, only this class follows.
 */
final class Stages implements AutoCloseable {

    final CleanupSpec spec;
    final KubeApi api;
    final Retrier retrier;
    final Deadline deadline;
    final OutcomeLedger ledger;
    private RunExecutor executor;

    /** Stages against {@code client}, on the spec's sleeper and ticker (a {@link VirtualTime} in these tests). */
    Stages(ApiClient client, CleanupSpec spec) {
        this.spec = spec;
        this.api = new KubeApi(client, spec.timing().requestTimeout());
        this.retrier = new Retrier(spec.timing().backoff(), spec.hooks().sleeper());
        this.deadline = Deadline.after(spec.timing().timeout(), spec.hooks().ticker());
        this.ledger = new OutcomeLedger(spec, deadline);
    }

    /** The lister of the run's scope. */
    Lister lister() {
        return new Lister(spec, api, retrier);
    }

    Deleter deleter() {
        return new Deleter(spec, api, retrier, ledger);
    }

    PendingDeletions pending() {
        return new PendingDeletions(ledger, spec.timing().timeout());
    }

    /** The waiter as the run builds it: asking "is it still there?" in the namespace, not through the selectors. */
    GoneWaiter waiter() {
        CleanupSpec presence = spec.presenceScope();
        return new GoneWaiter(presence, api, new Lister(presence, api, retrier), executor());
    }

    /** The object was listed (a ledger decides only listed objects). */
    ObjectRef listed(ObjectRef ref) {
        ledger.listed(ref);
        return ref;
    }

    /** The one outcome decided for {@code name}. */
    Outcome outcome(String name) {
        var matching =
                ledger.snapshot().stream().filter(o -> name.equals(o.name())).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one outcome for " + name + ", got " + matching);
        }
        return matching.get(0);
    }

    private synchronized RunExecutor executor() {
        if (executor == null) {
            executor = new RunExecutor(1);
        }
        return executor;
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.close();
        }
    }
}
