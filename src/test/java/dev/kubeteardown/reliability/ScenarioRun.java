package dev.kubeteardown.reliability;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.sim.FaultKind;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one {@link Scenario} end to end on a fresh simulator and gathers the evidence its invariants are judged on:
 * snapshots before and after, the engine's wire log, its decisions with their times, the observer's record of
 * every object's life, the threads it used.
 */
final class ScenarioRun {

    private static final Pattern WORKER = Pattern.compile("(kube-teardown-\\d+-)\\d+");
    /** How long a worker thread may outlive the run's return (the pool's last breath) before it counts as leaked. */
    static final Duration THREAD_GRACE = Duration.ofSeconds(1);

    /** What a run left behind to judge. */
    record Evidence(
            Scenario scenario,
            Set<String> seeded,
            Map<String, SimAdmin.Obj> before,
            Map<String, SimAdmin.Obj> after,
            CleanupReport report,
            RuntimeException thrown,
            long startNanos,
            long endNanos,
            WireLog wire,
            DecisionLog decisions,
            Map<String, ClusterObserver.Life> lives,
            List<String> observerProblems,
            long threadLingerMillis,
            List<String> leakedThreads,
            Map<FaultKind, Long> faults,
            Map<Verb, Long> requests) {

        long wallMillis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    private ScenarioRun() {}

    static Evidence run(Scenario sc) throws InterruptedException {
        LonghornSimulator.Builder builder = LonghornSimulator.builder().remoteDeleteDelay(sc.remoteDeleteDelay);
        sc.stuckNames.forEach(builder::stuckBackups);
        if (sc.watchHistory > 0) {
            builder.watchHistory(sc.watchHistory);
        }
        try (LonghornSimulator sim = builder.start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            try (ClusterObserver observer = new ClusterObserver(admin, Long.toString(sc.seed), sc::holdDelay).start()) {
                for (String ns : sc.namespaces) {
                    admin.createNamespace(ns);
                }
                Set<String> created = new HashSet<>();
                for (Scenario.SeedObject o : sc.objects) {
                    created.add(admin.createBackup(o.namespace(), o.name(), o.labels(), o.finalizers())
                            .uid());
                }
                for (Scenario.SeedObject o : sc.objects) {
                    if (o.preDeleting()) {
                        admin.delete(o.namespace(), o.name());
                    }
                }
                List<String> missing = observer.await(created, List.of(), Duration.ofSeconds(5));
                if (!missing.isEmpty()) {
                    throw new IllegalStateException("observer missed seeded objects: " + missing);
                }
                Map<String, SimAdmin.Obj> before = admin.snapshot();

                WireLog wire = new WireLog();
                DecisionLog decisions = new DecisionLog();
                ApiClient client = new ClientBuilder()
                        .setBasePath(sim.url())
                        .setVerifyingSsl(false)
                        .build();
                client.setHttpClient(
                        client.getHttpClient().newBuilder().addInterceptor(wire).build());
                Cleanup cleanup = sc.build(client, decisions);

                sim.faults(sc.faults);
                sim.resetCounters();
                CleanupReport report = null;
                RuntimeException thrown = null;
                long start = System.nanoTime();
                try {
                    report = sc.useRun ? cleanup.run() : cleanup.execute();
                } catch (CleanupConfigurationException e) {
                    thrown = e; // the run could not start: checked as a run without a report
                } catch (CleanupFailedException e) {
                    thrown = e;
                    report = e.report();
                } catch (RuntimeException e) {
                    thrown = e;
                }
                long end = System.nanoTime();
                decisions.runReturned(end);
                Map<FaultKind, Long> faults = sim.faultsInjected();
                Map<Verb, Long> requests = sim.requests().byVerb();
                sim.faults(FaultPlan.none());
                Map<String, SimAdmin.Obj> after = admin.snapshot();

                // threads: every thread the engine sent a request from belongs to this run's pool
                List<String> leaked = new ArrayList<>();
                long linger = threadLinger(wire.threads(), leaked);

                // let the observer catch up with every object that came and went during the run
                Set<String> known = new HashSet<>(after.keySet());
                if (report != null) {
                    report.outcomes().stream().filter(o -> !o.isScopeOutcome()).forEach(o -> known.add(o.uid()));
                }
                Set<String> removed = new HashSet<>(before.keySet());
                removed.removeAll(after.keySet());
                List<String> problems = new ArrayList<>(observer.problems());
                List<String> missed = observer.await(known, removed, Duration.ofSeconds(5));
                if (!missed.isEmpty()) {
                    problems.add("observer did not see: " + missed);
                }
                client.getHttpClient().connectionPool().evictAll();
                return new Evidence(
                        sc,
                        Set.copyOf(created),
                        before,
                        after,
                        report,
                        thrown,
                        start,
                        end,
                        wire,
                        decisions,
                        Map.copyOf(observer.lives()),
                        problems,
                        linger,
                        leaked,
                        faults,
                        requests);
            }
        }
    }

    /** Waits up to {@link #THREAD_GRACE} for the run's worker threads to end; returns how long that took. */
    private static long threadLinger(Set<String> usedThreads, List<String> leaked) throws InterruptedException {
        Set<String> prefixes = new HashSet<>();
        for (String name : usedThreads) {
            Matcher m = WORKER.matcher(name);
            if (m.matches()) {
                prefixes.add(m.group(1));
            }
        }
        long start = System.nanoTime();
        long end = start + THREAD_GRACE.toNanos();
        while (true) {
            List<String> alive = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && prefixes.stream().anyMatch(p -> t.getName().startsWith(p))) {
                    alive.add(t.getName() + " " + t.getState());
                }
            }
            if (alive.isEmpty()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (System.nanoTime() > end) {
                leaked.addAll(alive);
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(2);
        }
    }
}
