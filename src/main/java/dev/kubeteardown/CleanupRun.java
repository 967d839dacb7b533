package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a {@link CleanupSpec}: list, delete, wait, classify. Lives for one run only, so runs share no
 * mutable state.
 */
final class CleanupRun {

    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private final CleanupSpec spec;
    private final KubeApi api;
    private final Retrier retrier;
    private final Lister lister;
    private final Lister presence;
    private final Deadline deadline;
    private final OutcomeLedger ledger;
    private final Function<ObjectRef, String> leftAlone;

    private final ApiClient client;
    /** Set when the type is not served at the spec's version but at another the builder accepts. */
    private CleanupSpec servedElsewhere;

    /**
     * @param leftAlone why a listed object is left alone ({@code SKIPPED} with that detail, no request sent), or
     *                  {@code null} to delete it; an all-types sweep leaves owned objects to the garbage collector
     */
    private CleanupRun(CleanupSpec spec, ApiClient client, Function<ObjectRef, String> leftAlone) {
        this.spec = spec;
        this.client = client;
        this.leftAlone = leftAlone;
        this.api = new KubeApi(client, spec.timing().requestTimeout());
        this.retrier = new Retrier(spec.timing().backoff(), spec.hooks().sleeper());
        this.lister = new Lister(spec, api, retrier);
        this.presence = new Lister(spec.presenceScope(), api, retrier);
        this.deadline = Deadline.after(spec.timing().timeout(), spec.hooks().ticker());
        this.ledger = new OutcomeLedger(spec, deadline);
    }

    /**
     * Runs {@code spec}; when its type is not served at its version but at another its builder accepts (Longhorn's
     * v1beta1 on an old cluster), runs that instead. Asking discovery only then keeps the usual run's requests as
     * they are: list pages, deletes, watches.
     */
    static CleanupReport execute(CleanupSpec spec, ApiClient client) {
        return execute(spec, client, ref -> null);
    }

    /** {@link #execute(CleanupSpec, ApiClient)}, leaving alone the objects {@code leftAlone} gives a reason for. */
    static CleanupReport execute(CleanupSpec spec, ApiClient client, Function<ObjectRef, String> leftAlone) {
        CleanupRun run = new CleanupRun(spec, client, leftAlone);
        CleanupReport report = run.execute();
        return run.servedElsewhere == null ? report : new CleanupRun(run.servedElsewhere, client, leftAlone).execute();
    }

    private CleanupReport execute() {
        boolean interrupted = false;
        ConcurrencyLimit limit = spec.limits().concurrencyLimit(spec.hooks().ticker());
        try (RunExecutor executor = new RunExecutor(limit)) {
            try {
                run(executor);
            } catch (InterruptedException e) {
                interrupted = true;
                api.cancelAll();
            }
        } // closing waits for the workers: nothing is sent or decided after this
        if (interrupted) {
            ledger.failUndecided("interrupted before its outcome was known (the delete may have been sent)");
            CleanupReport partial = ledger.report().withParallelism(limit.snapshot());
            LOG.warn("{} (interrupted)", partial.summary());
            Thread.currentThread().interrupt();
            throw new CleanupInterruptedException(partial);
        }
        CleanupReport report = ledger.report().withParallelism(limit.snapshot());
        LOG.debug("{}: parallelism {}", spec.type(), report.parallelism().orElseThrow());
        if (servedElsewhere == null) { // otherwise the run at the served version says what happened
            // one INFO line per run, clean or not: the FAILED and STUCK objects were logged at ERROR/WARN already
            LOG.info("{}", report.summary());
        }
        return report;
    }

    private void run(RunExecutor executor) throws InterruptedException {
        PendingDeletions pending = new PendingDeletions(ledger, spec.timing().timeout());
        Deleter deleter = new Deleter(
                spec,
                api,
                retrier.reportingTo(executor.limit()::answered, spec.hooks().ticker()),
                ledger);
        Set<String> seen = new HashSet<>();
        Lister.Result listed;
        try {
            listed = executor.io(() -> lister.list(deadline, seen, (ref, labels) -> {
                ledger.listed(ref);
                String leaveWhy = leftAlone.apply(ref);
                if (leaveWhy != null) {
                    ledger.decide(ref, Outcome.Status.SKIPPED, leaveWhy);
                    return;
                }
                if (spec.dryRun() == DryRun.CLIENT) {
                    ledger.decide(
                            ref, Outcome.Status.WOULD_DELETE, "dry run: would delete (" + ref.holdDescription() + ")");
                    return;
                }
                if (ref.deletionTimestamp() != null && spec.dryRun() == DryRun.OFF) {
                    // someone else is already deleting it: wait for it, do not send a second DELETE
                    pending.add(new PendingDeletion(
                            ref,
                            0,
                            deadline.nanoTime(),
                            "already being deleted when listed (deletionTimestamp " + ref.deletionTimestamp() + ")",
                            false));
                    return;
                }
                executor.submitBounded(() -> deleteOne(deleter, ref, pending));
            }));
        } catch (Lister.ListFailure failure) {
            executor.awaitBounded();
            if (seen.isEmpty()) {
                throw ledger.cannotStart(
                        "cannot list " + spec.description() + ": " + failure.getMessage(), failure.code());
            }
            ledger.scope(
                    Outcome.Status.FAILED,
                    "listing stopped after page " + failure.page + ": " + failure.getMessage()
                            + "; objects beyond it were not examined",
                    failure.code());
            listed = null;
        }
        executor.awaitBounded();
        boolean listedNothing = seen.isEmpty();
        seen.clear(); // only needed while listing (restarts); do not hold every UID through the wait
        if (listed != null && !listed.served()) {
            notServed(listed);
            return;
        }
        if (listed != null && listedNothing) {
            checkNamespace(executor);
        }
        GoneWaiter waiter = new GoneWaiter(spec.presenceScope(), api, presence, executor);
        waiter.await(pending, listed == null ? null : listed.resourceVersion(), deadline);
        Deadline finalCheck = deadline.withFinalCheck();
        waiter.confirm(pending, finalCheck);
        if (!pending.isEmpty() && spec.delete().removeFinalizersAfterDeadline() != null) {
            new FinalizerRemover(spec, api, retrier, waiter, executor).release(pending, deadline);
        }
        pending.stuckAll();
        recheckFailures(executor, finalCheck);
    }

    private void deleteOne(Deleter deleter, ObjectRef ref, PendingDeletions pending) {
        try {
            PendingDeletion accepted = deleter.delete(ref, deadline);
            if (accepted != null) {
                pending.add(accepted);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("unexpected error deleting {}", ref.qualifiedName(), e);
            ledger.decide(ref, Outcome.Status.FAILED, "unexpected error: " + e);
        }
    }

    private void notServed(Lister.Result listed) {
        Optional<CleanupSpec> elsewhere = spec.servedElsewhere(client);
        if (elsewhere.isPresent()) {
            LOG.debug("{} is not served; {} is", spec.type(), elsewhere.get().type());
            servedElsewhere = elsewhere.get();
            return;
        }
        String detail = "resource type " + spec.type() + " is not served by the API server (404 on list: "
                + listed.notServedMessage() + "); is its CRD installed and this version served?";
        if (spec.whenMissing().resource() == MissingPolicy.FAIL) {
            throw ledger.cannotStart("cannot clean " + spec.description() + ": " + detail, 404);
        }
        ledger.scope(Outcome.Status.SKIPPED, detail, 404);
    }

    /**
     * An empty list may mean a misspelt namespace; only then is it worth one GET to tell. A missing namespace is a
     * note on the report (there is nothing to clean there), or an error under {@link MissingPolicy#FAIL}.
     */
    private void checkNamespace(RunExecutor executor) throws InterruptedException {
        String namespace = spec.requestNamespace();
        if (namespace == null) {
            return;
        }
        KubeApi.HttpResult result;
        try {
            result = executor.io(() -> {
                try {
                    return api.getNamespace(namespace, deadline);
                } catch (IOException e) {
                    return null;
                }
            });
        } catch (RuntimeException e) {
            return;
        }
        if (result == null || result.code() != 404) {
            return; // present, or not ours to know (403): the empty list stands
        }
        String detail = "namespace \"" + namespace + "\" does not exist";
        if (spec.whenMissing().namespace() == MissingPolicy.FAIL) {
            throw ledger.cannotStart("cannot clean " + spec.description() + ": " + detail, 404);
        }
        ledger.note(spec.type().qualifiedName() + ": " + detail + "; nothing to clean");
    }

    /**
     * A FAILED object may be gone all the same (a delete whose answer was lost, or someone else deleted it): one
     * list tells, so no object is reported FAILED while it is gone.
     */
    private void recheckFailures(RunExecutor executor, Deadline finalCheck) throws InterruptedException {
        List<Outcome> failed = ledger.snapshot().stream()
                .filter(o -> o.status() == Outcome.Status.FAILED
                        && !o.isScopeOutcome()
                        && !o.uid().isEmpty())
                .collect(Collectors.toList());
        if (failed.isEmpty() || spec.dryRun() != DryRun.OFF) {
            return;
        }
        Set<String> uids = failed.stream().map(Outcome::uid).collect(Collectors.toSet());
        Lister.Snapshot snapshot;
        try {
            snapshot = executor.io(() -> presence.present(uids, finalCheck));
        } catch (Lister.ListFailure e) {
            return;
        }
        for (Outcome o : failed) {
            if (!snapshot.present().containsKey(o.uid())) {
                // gone after a delete this run sent (its answer lost) is DELETED; otherwise someone else removed it
                boolean ours = ledger.wasDeleteSent(o.uid()) && o.httpStatus() != 401 && o.httpStatus() != 403;
                ledger.replace(
                        o,
                        o.withStatus(
                                ours ? Outcome.Status.DELETED : Outcome.Status.ALREADY_GONE,
                                "confirmed gone by list after: " + o.detail()));
            }
        }
    }
}
