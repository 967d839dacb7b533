package dev.kubeteardown.reliability;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.sim.FaultKind;
import dev.kubeteardown.sim.Verb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The suite's figures, summed over runs; thread-safe (every method synchronised). */
final class Figures {

    private int runs;
    private int viaRun;
    private int objects;
    private int notClean;
    private int threw;
    private final Map<Outcome.Status, Long> outcomes = new EnumMap<>(Outcome.Status.class);
    private final Map<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
    private final Map<Verb, Long> requests = new EnumMap<>(Verb.class);
    private final Invariants.Tally tally = new Invariants.Tally();
    private final Map<Long, List<String>> violations = new TreeMap<>();
    private long slowestOverrun = Long.MIN_VALUE;
    private String slowest = "";
    private long maxLinger;
    private long totalWall;

    synchronized void add(ScenarioRun.Evidence e, Invariants.Tally t, List<String> found) {
        Scenario sc = e.scenario();
        runs++;
        if (sc.useRun) {
            viaRun++;
        }
        objects += sc.objects.size();
        CleanupReport report = e.report();
        if (report != null) {
            report.counts().forEach((s, n) -> outcomes.merge(s, n, Long::sum));
            if (!report.isClean()) {
                notClean++;
            }
        }
        if (e.thrown() != null) {
            threw++;
        }
        e.faults().forEach((k, n) -> faults.merge(k, n, Long::sum));
        e.requests().forEach((k, n) -> requests.merge(k, n, Long::sum));
        tally.lateReleases += t.lateReleases;
        tally.staleViews += t.staleViews;
        tally.noCompleteLook += t.noCompleteLook;
        tally.recreatedSurvived += t.recreatedSurvived;
        tally.recreatedRelisted += t.recreatedRelisted;
        tally.recreatedRaced += t.recreatedRaced;
        tally.configurationExceptions += t.configurationExceptions;
        tally.listingCutShort += t.listingCutShort;
        tally.inScope += t.inScope;
        long overrun = e.wallMillis() - sc.timeout.toMillis();
        if (overrun > slowestOverrun) {
            slowestOverrun = overrun;
            slowest = String.format(
                    Locale.ROOT,
                    "seed %d: %d ms for a %d ms timeout (bound %d ms)",
                    sc.seed,
                    e.wallMillis(),
                    sc.timeout.toMillis(),
                    sc.bound().toMillis());
        }
        maxLinger = Math.max(maxLinger, e.threadLingerMillis());
        totalWall += e.wallMillis();
        if (!found.isEmpty()) {
            violations.put(sc.seed, List.copyOf(found));
        }
    }

    synchronized void harnessError(long seed, Throwable t) {
        runs++;
        violations.put(seed, List.of("harness error: " + t));
    }

    /** A run that had not finished {@code limit} after it was awaited: an invariant violation (the run hung). */
    synchronized void timedOut(long seed, Duration limit) {
        violations.merge(
                seed,
                List.of("run did not finish within " + limit.toMillis() + " ms (its bound plus the"
                        + " harness margin): a hang"),
                (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
    }

    synchronized int violationCount() {
        return violations.values().stream().mapToInt(List::size).sum();
    }

    synchronized Map<Long, List<String>> violations() {
        return new TreeMap<>(violations);
    }

    synchronized String render(String title, long elapsedMillis, int parallel) {
        StringBuilder sb = new StringBuilder();
        sb.append("==== ").append(title).append(" ====\n");
        sb.append(String.format(
                Locale.ROOT,
                "runs: %d (%d via run(), %d via execute()), %d at a time, %.1f s wall,"
                        + " %.2f s engine time per run on average%n",
                runs,
                viaRun,
                runs - viaRun,
                parallel,
                elapsedMillis / 1000.0,
                runs == 0 ? 0 : totalWall / 1000.0 / runs));
        sb.append(String.format(Locale.ROOT, "objects: %d seeded, %d in scope at the start%n", objects, tally.inScope));
        sb.append("outcomes: ").append(outcomes).append('\n');
        sb.append(String.format(
                Locale.ROOT,
                "reports not clean: %d; run() or execute() threw: %d; of which"
                        + " CleanupConfigurationException (first list failed): %d; listing cut short: %d%n",
                notClean,
                threw,
                tally.configurationExceptions,
                tally.listingCutShort));
        sb.append("faults injected: ").append(faults).append('\n');
        sb.append("requests received by the simulators (the test controller's GET and PATCH included): ")
                .append(requests)
                .append('\n');
        sb.append(String.format(
                Locale.ROOT,
                "re-created objects: %d survived untouched, %d found by a later (restarted)"
                        + " list and cleaned, %d taken by a further injected race%n",
                tally.recreatedSurvived,
                tally.recreatedRelisted,
                tally.recreatedRaced));
        sb.append(String.format(
                Locale.ROOT,
                "STUCK/FAILED objects gone by the end (accepted): %d gone after the engine's"
                        + " last complete look, %d while the engine had no complete list (faults), %d seen in an abandoned pass"
                        + " of a restarted list (stale view)%n",
                tally.lateReleases,
                tally.noCompleteLook,
                tally.staleViews));
        sb.append("slowest run against its deadline: ").append(slowest).append('\n');
        sb.append("longest a worker thread outlived its run: ")
                .append(maxLinger)
                .append(" ms\n");
        sb.append("invariant violations: ").append(violationCount());
        if (!violations.isEmpty()) {
            sb.append(" in ").append(violations.size()).append(" runs\n");
            violations.forEach((seed, list) -> {
                sb.append("  seed ")
                        .append(seed)
                        .append(" (-Dkubeteardown.seed=")
                        .append(seed)
                        .append("):\n");
                list.stream().limit(8).forEach(s -> sb.append("    ").append(s).append('\n'));
                if (list.size() > 8) {
                    sb.append("    ... and ").append(list.size() - 8).append(" more\n");
                }
            });
        } else {
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Seeds with violations, for a one-line summary. */
    synchronized List<Long> failingSeeds() {
        return new ArrayList<>(violations.keySet());
    }
}
