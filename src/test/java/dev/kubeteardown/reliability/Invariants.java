package dev.kubeteardown.reliability;

import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.Outcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The promises of a teardown, checked against one run's {@link ScenarioRun.Evidence}. Each broken promise is one
 * line naming the object and why; the tallies feed the suite's figures.
 *
 * <p>The rule for "reported STUCK or FAILED while it is gone": an object the controller released after the engine's
 * last look is fine (it was there when last seen). It is a violation only when the engine itself had been told it was
 * gone: a complete list (all pages answered, restarts included) that the engine made after its deletes and before
 * the STUCK decision did not contain it, or, for FAILED, the final re-check list made after the decision did not.
 */
final class Invariants {

    /** Counts that are not violations but say what the runs went through. */
    static final class Tally {
        int lateReleases;
        int staleViews;
        int noCompleteLook;
        int recreatedSurvived;
        int recreatedRelisted;
        int recreatedRaced;
        int configurationExceptions;
        int listingCutShort;
        int inScope;
    }

    private Invariants() {}

    static List<String> check(ScenarioRun.Evidence e, Tally tally) {
        List<String> v = new ArrayList<>();
        Scenario sc = e.scenario();
        e.observerProblems().forEach(p -> v.add("harness: " + p));

        Map<String, SimAdmin.Obj> inScope = new HashMap<>();
        Map<String, SimAdmin.Obj> outOfScope = new HashMap<>();
        e.before()
                .forEach((uid, o) ->
                        (sc.inScope(o.namespace(), o.name(), o.labels()) ? inScope : outOfScope).put(uid, o));
        tally.inScope += inScope.size();
        Set<String> outOfScopeKeys = new HashSet<>();
        outOfScope.values().forEach(o -> outOfScopeKeys.add(o.key()));

        List<WireLog.Exchange> wire = e.wire().exchanges();
        List<WireLog.ListCall> calls = e.wire().listCalls();

        // out-of-scope objects: present, same UID, same resourceVersion (unless someone else was deleting them)
        outOfScope.forEach((uid, o) -> {
            SimAdmin.Obj now = e.after().get(uid);
            if (o.deleting()) {
                return;
            }
            if (now == null) {
                v.add("out-of-scope " + o.key() + " (uid " + uid + ") was deleted");
            } else if (now.resourceVersion() != o.resourceVersion()) {
                v.add("out-of-scope " + o.key() + " was modified (resourceVersion " + o.resourceVersion() + " -> "
                        + now.resourceVersion() + ")");
            }
        });

        // what the engine sent
        Set<String> reportedUids = new HashSet<>();
        if (e.report() != null) {
            e.report().outcomes().stream().filter(o -> !o.isScopeOutcome()).forEach(o -> reportedUids.add(o.uid()));
        }
        for (WireLog.Exchange x : wire) {
            if (!x.isDelete() && !x.isPatch()) {
                continue;
            }
            if (outOfScopeKeys.contains(x.key())) {
                v.add(x.method() + " sent for out-of-scope " + x.key());
            }
            if (sc.dryRun == DryRun.CLIENT) {
                v.add("client dry run sent " + x.method() + " " + x.key());
            } else if (sc.dryRun == DryRun.SERVER && !x.serverDryRun()) {
                v.add("server dry run sent " + x.method() + " " + x.key() + " without dryRun=All");
            }
            String uid = x.uidInBody();
            if (uid == null) {
                v.add(x.method() + " " + x.key() + " carries no UID: " + x.requestBody());
            } else if (!reportedUids.contains(uid)) {
                v.add(x.method() + " " + x.key() + " (uid " + uid + ") is not in the report");
            }
            SimAdmin.Obj listed = uid == null ? null : e.before().get(uid);
            if (x.isDelete() && listed != null && listed.deleting() && sc.dryRun == DryRun.OFF) {
                v.add("DELETE sent for " + x.key() + ", which was already being deleted when listed");
            }
            if (listed != null && !listed.key().equals(x.key())) {
                v.add(x.method() + " for uid " + uid + " sent to " + x.key() + ", but that UID is " + listed.key());
            }
        }

        // objects created during the run (re-creation races): untouched unless a later list legitimately found them
        Set<String> listedAnywhere = new HashSet<>();
        calls.forEach(c -> listedAnywhere.addAll(c.union()));
        for (ClusterObserver.Life life : e.lives().values()) {
            if (e.seeded().contains(life.uid)) {
                continue;
            }
            if (reportedUids.contains(life.uid)) {
                tally.recreatedRelisted++;
                continue;
            }
            SimAdmin.Obj now = e.after().get(life.uid);
            if (now == null) {
                if (removedByRace(life, e.lives().values(), wire)) {
                    tally.recreatedRaced++;
                } else {
                    v.add("re-created " + life.namespace + "/" + life.name + " (uid " + life.uid + ") was removed");
                }
            } else if (now.resourceVersion() != life.createdRv) {
                v.add("re-created " + life.namespace + "/" + life.name + " (uid " + life.uid + ") was modified");
            } else {
                tally.recreatedSurvived++;
            }
            wire.stream()
                    .filter(x -> (x.isDelete() || x.isPatch()) && life.uid.equals(x.uidInBody()))
                    .forEach(x -> v.add(x.method() + " sent for re-created " + x.key() + " (uid " + life.uid + ")"));
        }

        if (e.report() == null) {
            checkWithoutReport(e, v, tally, wire);
        } else {
            checkReport(e, v, tally, inScope, outOfScope, calls, wire, listedAnywhere);
        }

        // deadline
        if (e.wallMillis() > sc.bound().toMillis()) {
            v.add("run took " + e.wallMillis() + " ms, beyond its bound "
                    + sc.bound().toMillis() + " ms (timeout " + sc.timeout.toMillis() + " ms)");
        }
        // threads
        if (!e.leakedThreads().isEmpty()) {
            v.add("worker threads alive " + ScenarioRun.THREAD_GRACE.toMillis() + " ms after the run: "
                    + e.leakedThreads());
        }
        e.decisions().late().forEach(d -> v.add("outcome decided after the run returned: " + d.outcome()));
        return v;
    }

    /**
     * Whether a fault, not the engine, removed this re-created object: a later re-creation race replaced it (its
     * successor was created right at its removal), or a 404 race on a request for its name took it (a request
     * answered 404 was in flight when the observer saw it go). Any engine request that named its UID is a violation
     * of its own, so this cannot hide a delete by the engine.
     */
    private static boolean removedByRace(
            ClusterObserver.Life life, Collection<ClusterObserver.Life> lives, List<WireLog.Exchange> wire) {
        for (ClusterObserver.Life other : lives) {
            if (other != life
                    && other.namespace.equals(life.namespace)
                    && other.name.equals(life.name)
                    && other.createdRv == life.deletedRv + 1) {
                return true;
            }
        }
        long observed = life.deletedNanos;
        // From the 404 to the observer's watch seeing the removal. Wide on purpose: the injected race's delete is not
        // in the wire log with a resourceVersion to match, so time is the only link, and two shared cores can delay
        // a watch event by seconds. Being lenient here cannot hide an engine delete: any engine request naming this
        // object's UID is a violation of its own (see above).
        long lag = 10_000_000_000L;
        // the injected 404 race removes whatever holds the name; its answer may be a 404, or never arrive at all
        // when a slow-response fault delays it past the client's timeout (the DELETE itself named the old UID)
        return wire.stream()
                .anyMatch(x -> x.isDelete()
                        && (x.code() == 404 || x.code() == 0)
                        && x.key().equals(life.namespace + "/" + life.name)
                        && !life.uid.equals(x.uidInBody())
                        && x.startNanos() <= observed
                        && x.endNanos() + lag >= observed);
    }

    private static void checkWithoutReport(
            ScenarioRun.Evidence e, List<String> v, Tally tally, List<WireLog.Exchange> wire) {
        if (!(e.thrown() instanceof CleanupConfigurationException)) {
            v.add("run ended without a report: " + e.thrown());
            return;
        }
        tally.configurationExceptions++;
        String message = e.thrown().getMessage();
        if (!message.startsWith("cannot list")) {
            v.add("unexpected configuration exception: " + message);
        }
        wire.stream()
                .filter(x -> x.isDelete() || x.isPatch())
                .forEach(x -> v.add("configuration exception, yet " + x.method() + " " + x.key() + " was sent"));
        e.before().forEach((uid, o) -> {
            SimAdmin.Obj now = e.after().get(uid);
            if (!o.deleting() && (now == null || now.resourceVersion() != o.resourceVersion())) {
                v.add("configuration exception, yet " + o.key() + " changed");
            }
        });
    }

    private static void checkReport(
            ScenarioRun.Evidence e,
            List<String> v,
            Tally tally,
            Map<String, SimAdmin.Obj> inScope,
            Map<String, SimAdmin.Obj> outOfScope,
            List<WireLog.ListCall> calls,
            List<WireLog.Exchange> wire,
            Set<String> listedAnywhere) {
        Scenario sc = e.scenario();
        CleanupReport report = e.report();
        boolean cutShort = false;
        for (Outcome o : report.outcomes()) {
            if (!o.isScopeOutcome()) {
                continue;
            }
            if (o.status() == Outcome.Status.FAILED && o.detail().startsWith("listing stopped")) {
                cutShort = true;
            } else {
                v.add("unexpected scope outcome: " + o);
            }
        }
        if (cutShort) {
            tally.listingCutShort++;
        }

        // window of the waiter's lists: after every delete, before the first finalizer patch
        long deletesEnd = 0;
        long firstFinalizerPatch = Long.MAX_VALUE;
        for (WireLog.Exchange x : wire) {
            if (x.isDelete() || (x.isPatch() && !x.removesFinalizers())) {
                deletesEnd = Math.max(deletesEnd, x.endNanos());
            } else if (x.removesFinalizers()) {
                firstFinalizerPatch = Math.min(firstFinalizerPatch, x.startNanos());
            }
        }
        if (!calls.isEmpty()) {
            deletesEnd = Math.max(deletesEnd, calls.get(0).endNanos());
        }
        WireLog.ListCall last = calls.isEmpty() ? null : calls.get(calls.size() - 1);

        Map<String, Outcome> byUid = new HashMap<>();
        for (Outcome o : report.outcomes()) {
            if (o.isScopeOutcome()) {
                continue;
            }
            if (byUid.put(o.uid(), o) != null) {
                v.add("reported twice: " + o.qualifiedName() + " (uid " + o.uid() + ")");
            }
            String uid = o.uid();
            SimAdmin.Obj listed = e.before().get(uid);
            ClusterObserver.Life life = e.lives().get(uid);
            if (listed == null && life == null) {
                v.add("reported an object never seen: " + o);
                continue;
            }
            String key = listed != null ? listed.key() : life.namespace + "/" + life.name;
            if (!key.equals(o.qualifiedName())) {
                v.add("outcome " + o.qualifiedName() + " carries the UID of " + key);
            }
            if (outOfScope.containsKey(uid)) {
                v.add("reported an out-of-scope object: " + o);
            }
            if (listed == null && !listedAnywhere.contains(uid)) {
                v.add("reported a re-created object no list returned: " + o);
            }
            SimAdmin.Obj now = e.after().get(uid);
            switch (o.status()) {
                case WOULD_DELETE:
                    if (sc.dryRun == DryRun.OFF) {
                        v.add("WOULD_DELETE outside a dry run: " + o);
                    }
                    if (listed != null
                            && !listed.deleting()
                            && (now == null || now.resourceVersion() != listed.resourceVersion())) {
                        v.add("dry run, yet " + o.qualifiedName() + " was " + (now == null ? "deleted" : "modified"));
                    }
                    break;
                case DELETED:
                case ALREADY_GONE:
                    if (sc.dryRun == DryRun.CLIENT
                            || (sc.dryRun == DryRun.SERVER && o.status() == Outcome.Status.DELETED)) {
                        v.add(o.status() + " in a " + sc.dryRun + " dry run: " + o);
                    }
                    if (now != null) {
                        v.add("reported " + o.status() + " but still present"
                                + (now.deleting() ? " (deleting, finalizers " + now.finalizers() + ")" : "") + ": "
                                + o);
                    }
                    boolean releasedByEngine =
                            wire.stream().anyMatch(x -> x.removesFinalizers() && uid.equals(x.uidInBody()));
                    if (o.status() == Outcome.Status.DELETED
                            && listed != null
                            && listed.deleting()
                            && sc.dryRun == DryRun.OFF
                            && !releasedByEngine) {
                        v.add("DELETED, but someone else was already deleting it: " + o);
                    }
                    break;
                case STUCK:
                    if (sc.dryRun != DryRun.OFF) {
                        v.add("STUCK in a dry run: " + o);
                    }
                    if (now == null) {
                        judgeGoneAfterStuck(e, o, v, tally, calls, deletesEnd, firstFinalizerPatch);
                    }
                    break;
                case FAILED:
                    if (sc.dryRun == DryRun.CLIENT) {
                        v.add("FAILED in a client dry run: " + o);
                    }
                    if (now == null) {
                        DecisionLog.Decision d = e.decisions().firstFor(uid);
                        if (last != null
                                && d != null
                                && last.startNanos() > d.nanos()
                                && last.complete()
                                && !last.union().contains(uid)) {
                            v.add("FAILED, though the final re-check list (complete) did not contain it: " + o);
                        } else if (last != null
                                && d != null
                                && last.startNanos() > d.nanos()
                                && last.complete()
                                && !last.lastPass().contains(uid)) {
                            tally.staleViews++;
                        } else if (last != null && last.complete()) {
                            tally.lateReleases++;
                        } else {
                            tally.noCompleteLook++;
                        }
                    }
                    break;
                default:
                    v.add("unexpected object outcome: " + o);
            }
        }

        // every in-scope object exactly once
        Set<String> firstListing = calls.isEmpty() ? Set.of() : calls.get(0).union();
        for (Map.Entry<String, SimAdmin.Obj> entry : inScope.entrySet()) {
            String uid = entry.getKey();
            SimAdmin.Obj o = entry.getValue();
            if (byUid.containsKey(uid)) {
                continue;
            }
            SimAdmin.Obj now = e.after().get(uid);
            boolean touched = wire.stream().anyMatch(x -> (x.isDelete() || x.isPatch()) && uid.equals(x.uidInBody()));
            if (cutShort) {
                // objects beyond the page where listing stopped were not examined: they must be as they were
                if (touched || (!o.deleting() && (now == null || now.resourceVersion() != o.resourceVersion()))) {
                    v.add("listing was cut short before " + o.key() + ", yet it was changed or deleted");
                }
                continue;
            }
            if (o.deleting() && now == null && !firstListing.contains(uid)) {
                continue; // someone else's delete finished before the engine listed it
            }
            v.add("in-scope object missing from the report: " + o.key() + " (uid " + uid + ")");
        }

        // run() throws if and only if the report is not clean; execute()'s report agrees with throwIfNotClean()
        if (sc.useRun) {
            boolean threw = e.thrown() instanceof CleanupFailedException;
            if (threw == report.isClean()) {
                v.add("run() " + (threw ? "threw for a clean report" : "returned a report that is not clean"));
            }
            if (threw) {
                CleanupFailedException f = (CleanupFailedException) e.thrown();
                if (f.report() != report) {
                    v.add("the exception carries another report");
                }
                if (f.getSuppressed().length != report.problems().size()) {
                    v.add("the exception has " + f.getSuppressed().length + " suppressed causes for "
                            + report.problems().size() + " problems");
                }
                for (Outcome p : report.problems()) {
                    if (!f.getMessage().contains(p.toString())) {
                        v.add("the exception message does not name " + p.qualifiedName());
                    }
                }
            }
        } else {
            boolean threw;
            try {
                report.throwIfNotClean();
                threw = false;
            } catch (CleanupFailedException ex) {
                threw = true;
            }
            if (threw == report.isClean()) {
                v.add("throwIfNotClean() disagrees with isClean()");
            }
        }
        boolean problems = report.outcomes().stream().anyMatch(o -> o.status().isProblem());
        if (problems == report.isClean()) {
            v.add("isClean() disagrees with the outcomes");
        }
    }

    private static void judgeGoneAfterStuck(
            ScenarioRun.Evidence e,
            Outcome o,
            List<String> v,
            Tally tally,
            List<WireLog.ListCall> calls,
            long deletesEnd,
            long firstFinalizerPatch) {
        DecisionLog.Decision d = e.decisions().firstFor(o.uid());
        long decided = d == null ? e.endNanos() : d.nanos();
        long windowEnd = Math.min(decided, firstFinalizerPatch);
        boolean stale = false;
        boolean looked = false;
        for (WireLog.ListCall c : calls) {
            if (c.startNanos() > deletesEnd && c.endNanos() < windowEnd && c.complete()) {
                looked = true;
                if (!c.union().contains(o.uid())) {
                    v.add("STUCK, though a complete list the engine made while waiting did not contain it: " + o);
                    return;
                }
                if (!c.lastPass().contains(o.uid())) {
                    stale = true;
                }
            }
        }
        if (stale) {
            tally.staleViews++;
        } else if (looked) {
            tally.lateReleases++;
        } else {
            tally.noCompleteLook++;
        }
    }
}
