package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a {@link CleanupSpec}: list, delete, wait, classify. Lives for one run only, so runs share no
 * mutable state.
 */
final class CleanupRun {

    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);
    /** The look after the deadline that keeps gone objects from being reported STUCK may take this long at most. */
    static final Duration FINAL_CHECK = Duration.ofSeconds(2);

    private final CleanupSpec spec;
    private final KubeApi api;
    private final Retrier retrier;
    private final Lister lister;
    private final Lister presence;
    private final Outcomes outcomes;
    private final Deadline deadline;

    CleanupRun(CleanupSpec spec, ApiClient client) {
        this.spec = spec;
        this.api = new KubeApi(client, spec.requestTimeout());
        this.retrier = new Retrier(spec.backoff(), spec.sleeper());
        this.lister = new Lister(spec, api, retrier);
        this.presence = new Lister(spec.presenceScope(), api, retrier);
        this.outcomes = new Outcomes(spec.type(), spec.ticker(), spec.listener());
        this.deadline = Deadline.after(spec.timeout(), spec.ticker());
    }

    CleanupReport execute() {
        boolean interrupted = false;
        try (RunExecutor executor = new RunExecutor(spec.parallelism())) {
            try {
                run(executor);
            } catch (InterruptedException e) {
                interrupted = true;
                api.cancelAll();
            }
        } // closing waits for the workers: nothing is sent or decided after this
        if (interrupted) {
            outcomes.failUndecided("interrupted before its outcome was known (the delete may have been sent)");
            CleanupReport partial = report();
            LOG.warn("{} (interrupted)", partial.summary());
            Thread.currentThread().interrupt();
            throw new CleanupInterruptedException(partial);
        }
        CleanupReport report = report();
        // one INFO line per run, clean or not: the FAILED and STUCK objects were logged at ERROR/WARN already
        LOG.info("{}", report.summary());
        return report;
    }

    private void run(RunExecutor executor) throws InterruptedException {
        Map<String, Tracked> pending = GoneWaiter.newPendingMap();
        Deleter deleter = new Deleter(spec, api, retrier, outcomes);
        Set<String> seen = new HashSet<>();
        Lister.Result listed;
        try {
            listed = executor.io(() -> lister.list(deadline, seen, (ref, labels) -> {
                outcomes.listed(ref);
                if (spec.dryRun() == DryRun.CLIENT) {
                    outcomes.decide(
                            ref,
                            Outcome.Status.WOULD_DELETE,
                            "dry run: would delete (" + ref.holdDescription() + ")",
                            0,
                            0,
                            0);
                    return;
                }
                if (ref.deletionTimestamp() != null && spec.dryRun() == DryRun.OFF) {
                    // someone else is already deleting it: wait for it, do not send a second DELETE
                    pending.put(
                            Lister.identity(ref),
                            new Tracked(
                                    ref,
                                    0,
                                    deadline.nanoTime(),
                                    "already being deleted when listed (deletionTimestamp " + ref.deletionTimestamp()
                                            + ")",
                                    false));
                    return;
                }
                executor.submitBounded(() -> deleteOne(deleter, ref, pending));
            }));
        } catch (Lister.ListFailure failure) {
            executor.awaitBounded();
            if (seen.isEmpty()) {
                throw cannotStart("cannot list " + spec.description() + ": " + failure.getMessage(), failure.code());
            }
            outcomes.scope(
                    spec.requestNamespace(),
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
        GoneWaiter.GoneListener gone = (t, how) -> outcomes.decide(
                t.ref(),
                t.statusWhenGone(),
                t.note().isEmpty() ? how : how + "; " + t.note(),
                t.attempts(),
                t.startNanos(),
                0);
        waiter.await(pending, listed == null ? null : listed.resourceVersion(), deadline, gone);
        Deadline grace = deadline.extendedBy(FINAL_CHECK);
        waiter.confirm(pending, grace, gone);
        if (!pending.isEmpty() && spec.removeFinalizersAfterDeadline() != null) {
            new FinalizerRemover(spec, api, retrier, waiter, executor).release(pending, deadline, outcomes);
        }
        for (Tracked t : pending.values()) {
            outcomes.decide(
                    t.ref(),
                    Outcome.Status.STUCK,
                    "still present at the deadline (" + spec.timeout().toMillis() + " ms): "
                            + t.ref().holdDescription() + (t.note().isEmpty() ? "" : "; " + t.note()),
                    t.attempts(),
                    t.startNanos(),
                    0);
        }
        recheckFailures(executor, grace);
    }

    private void deleteOne(Deleter deleter, ObjectRef ref, Map<String, Tracked> pending) {
        try {
            Tracked tracked = deleter.delete(ref, deadline);
            if (tracked != null) {
                pending.put(Lister.identity(ref), tracked);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("unexpected error deleting {}", ref.qualifiedName(), e);
            outcomes.decide(ref, Outcome.Status.FAILED, "unexpected error: " + e, 0, 0, 0);
        }
    }

    private void notServed(Lister.Result listed) {
        String detail = "resource type " + spec.type() + " is not served by the API server (404 on list: "
                + listed.notServedMessage() + "); is its CRD installed and this version served?";
        if (spec.ifResourceMissing() == MissingPolicy.FAIL) {
            throw cannotStart("cannot clean " + spec.description() + ": " + detail, 404);
        }
        outcomes.scope(spec.requestNamespace(), Outcome.Status.SKIPPED, detail, 404);
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
        if (spec.ifNamespaceMissing() == MissingPolicy.FAIL) {
            throw cannotStart("cannot clean " + spec.description() + ": " + detail, 404);
        }
        outcomes.note(spec.type().qualifiedName() + ": " + detail + "; nothing to clean");
    }

    /**
     * A FAILED object may be gone all the same (a delete whose answer was lost, or someone else deleted it): one
     * list tells, so no object is reported FAILED while it is gone.
     */
    private void recheckFailures(RunExecutor executor, Deadline grace) throws InterruptedException {
        List<Outcome> failed = outcomes.snapshot().stream()
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
            snapshot = executor.io(() -> presence.present(uids, grace));
        } catch (Lister.ListFailure e) {
            return;
        }
        for (Outcome o : failed) {
            if (!snapshot.present().containsKey(o.uid())) {
                // gone after a delete this run sent (its answer lost) is DELETED; otherwise someone else removed it
                boolean ours = outcomes.wasDeleteSent(o.uid()) && o.httpStatus() != 401 && o.httpStatus() != 403;
                outcomes.replace(
                        o,
                        new Outcome(
                                o.resource(),
                                o.namespace(),
                                o.name(),
                                o.uid(),
                                ours ? Outcome.Status.DELETED : Outcome.Status.ALREADY_GONE,
                                "confirmed gone by list after: " + o.detail(),
                                o.attempts(),
                                o.duration(),
                                o.httpStatus(),
                                o.finalizers(),
                                o.deletionTimestamp()));
            }
        }
    }

    /** Lists a scope (read only) and hands each object's labels over; for discovery such as stale-run sweeps. */
    static void listLabels(CleanupSpec spec, ApiClient client, java.util.function.Consumer<Map<String, String>> sink) {
        CleanupRun run = new CleanupRun(spec, client);
        try (RunExecutor executor = new RunExecutor(1)) {
            Lister.Result result = executor.io(
                    () -> run.lister.list(run.deadline, new HashSet<>(), (ref, labels) -> sink.accept(labels)));
            if (!result.served()) {
                LOG.warn("{} is not served; nothing to discover", spec.type());
            }
        } catch (Lister.ListFailure e) {
            throw run.cannotStart("cannot list " + spec.description() + ": " + e.getMessage(), e.code());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanupInterruptedException(run.report());
        }
    }

    /** The run cannot start: the reason becomes a FAILED scope outcome of the report the exception carries. */
    private CleanupConfigurationException cannotStart(String message, int httpStatus) {
        outcomes.scope(spec.requestNamespace(), Outcome.Status.FAILED, message, httpStatus);
        return new CleanupConfigurationException(report(), message);
    }

    private CleanupReport report() {
        return new CleanupReport(
                spec.type().toString(),
                spec.scopeDescription(),
                outcomes.snapshot(),
                deadline.elapsed(),
                outcomes.notes());
    }
}
