package dev.kubeteardown.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Backoff;
import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.WaitStrategy;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A run interrupted at a random moment (listing, deleting or waiting), on the simulator with faults on: it stops
 * promptly, throws {@link CleanupInterruptedException} with a partial report that is true as far as it goes (every
 * object at most once, nothing DELETED that is still there, nothing out of scope), keeps the interrupt flag, sends
 * nothing after it returned, and leaves no worker thread.
 *
 * <p>{@code -Dkubeteardown.interrupt.runs=N} changes the number of seeded runs ({@value #DEFAULT_RUNS});
 * {@code -Dkubeteardown.interrupt.seed=S} runs one.
 */
class InterruptUnderFaultsTest {

    static final int DEFAULT_RUNS = 40;
    /** How soon after the interrupt the run must have returned. */
    static final Duration PROMPT = Duration.ofSeconds(2);
    /** The phase of a run that returned before it could be interrupted. */
    static final String FINISHED_FIRST = "finished before the interrupt";

    private static final Pattern WORKER = Pattern.compile("(kube-teardown-\\d+-)\\d+");

    static {
        System.setProperty("org.slf4j.simpleLogger.log.dev.kubeteardown.Cleanup", "off");
    }

    @Test
    @DisplayName("an interrupted run stops promptly with a true partial report, sends nothing after, leaves no thread")
    void interruptedRunsStopPromptly() throws Exception {
        String single = System.getProperty("kubeteardown.interrupt.seed");
        List<Long> seeds = new ArrayList<>();
        if (single != null && !single.isBlank()) {
            seeds.add(Long.parseLong(single.trim()));
        } else {
            int runs = Integer.getInteger("kubeteardown.interrupt.runs", DEFAULT_RUNS);
            for (long s = 1; s <= runs; s++) {
                seeds.add(s);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Map<Long, List<String>> violations = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        long[] slowest = {0, 0};
        Map<String, Integer> phases = new TreeMap<>();
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (long seed : seeds) {
                futures.add(pool.submit(() -> run(seed)));
            }
            for (Future<Result> f : futures) {
                Result r = f.get();
                if (!r.violations.isEmpty()) {
                    violations.put(r.seed, r.violations);
                }
                phases.merge(r.phase, 1, Integer::sum);
                if (r.stopMillis > slowest[0]) {
                    slowest[0] = r.stopMillis;
                    slowest[1] = r.seed;
                }
                lines.add(r.summary);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        StringBuilder sb = new StringBuilder("==== interrupts under faults: ")
                .append(seeds.size())
                .append(" runs ====\n");
        sb.append("interrupted while: ").append(phases).append('\n');
        sb.append("slowest stop after the interrupt: ")
                .append(slowest[0])
                .append(" ms (seed ")
                .append(slowest[1])
                .append(")\n");
        if (seeds.size() == 1) {
            lines.forEach(l -> sb.append(l).append('\n'));
        }
        sb.append("violations: ")
                .append(violations.values().stream().mapToInt(List::size).sum())
                .append('\n');
        violations.forEach((seed, list) -> {
            sb.append("  seed ")
                    .append(seed)
                    .append(" (-Dkubeteardown.interrupt.seed=")
                    .append(seed)
                    .append("):\n");
            list.forEach(v -> sb.append("    ").append(v).append('\n'));
        });
        System.out.println(sb);
        assertEquals(Map.of(), violations, sb.toString());
        int interrupted = seeds.size() - phases.getOrDefault(FINISHED_FIRST, 0);
        assertTrue(
                interrupted * 4 >= seeds.size() * 3, "most runs must meet the interrupt, or this checks little: " + sb);
    }

    private record Result(long seed, String phase, long stopMillis, List<String> violations, String summary) {}

    private static Result run(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed * 7919);
        int parallelism = 1 + r.nextInt(16);
        int pageSize = 2 + r.nextInt(20);
        WaitStrategy wait = r.nextBoolean() ? WaitStrategy.WATCH : WaitStrategy.POLL;
        long interruptAfter = r.nextInt(1200);
        Duration requestTimeout = Duration.ofMillis(150 + r.nextInt(400));
        FaultPlan plan = FaultPlan.builder()
                .seed(seed)
                .on(Verb.DELETE, "backups")
                .errorRate(r.nextBoolean() ? 503 : 500, 0.2)
                .latency(Duration.ofMillis(20 + r.nextInt(60)))
                .disconnectRate(0.05)
                .slowRate(0.05, requestTimeout.plusMillis(300))
                .notFoundRace(0.05)
                .recreateRace(0.05)
                .on(Verb.LIST, "backups")
                .errorRate(500, 0.1)
                .latency(Duration.ofMillis(10 + r.nextInt(30)))
                .expiredContinueRate(0.2)
                .slowRate(0.03, requestTimeout.plusMillis(200))
                .on(Verb.WATCH, "backups")
                .disconnectRate(0.2)
                .build();
        Map<String, Duration> holds = new HashMap<>();
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            try (ClusterObserver observer =
                    new ClusterObserver(admin, "i" + seed, (ns, name) -> holds.get(ns + "/" + name)).start()) {
                admin.createNamespace("ns-a");
                admin.createNamespace("ns-b");
                int count = 10 + r.nextInt(50);
                for (int i = 0; i < count; i++) {
                    String ns = r.nextInt(4) == 0 ? "ns-b" : "ns-a";
                    List<String> finalizers = new ArrayList<>();
                    int kind = r.nextInt(3);
                    if (kind == 1) {
                        finalizers.add(Scenario.HOLD);
                        holds.put(ns + "/b-" + i, Duration.ofMillis(r.nextInt(800)));
                    } else if (kind == 2) {
                        finalizers.add(Scenario.HOLD); // never released: the run waits until interrupted
                    }
                    admin.createBackup(ns, "b-" + i, Map.of("app", r.nextBoolean() ? "web" : "db"), finalizers);
                }
                Map<String, SimAdmin.Obj> before = admin.snapshot();
                WireLog wire = new WireLog();
                DecisionLog decisions = new DecisionLog();
                ApiClient client = new ClientBuilder().setBasePath(sim.url()).build();
                client.setHttpClient(
                        client.getHttpClient().newBuilder().addInterceptor(wire).build());
                Cleanup cleanup = Cleanup.builder(client, Scenario.BACKUPS)
                        .namespace("ns-a")
                        .timeout(Duration.ofSeconds(30))
                        .requestTimeout(requestTimeout)
                        .parallelism(parallelism)
                        .pageSize(pageSize)
                        .waitStrategy(wait)
                        .listener(decisions)
                        .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(300), 0.2, 20))
                        .build();
                sim.faults(plan);

                AtomicReference<Throwable> thrown = new AtomicReference<>();
                AtomicReference<CleanupReport> returned = new AtomicReference<>();
                AtomicReference<Boolean> flag = new AtomicReference<>();
                long[] returnedAt = {0};
                Thread runner = new Thread(
                        () -> {
                            try {
                                returned.set(cleanup.execute());
                            } catch (Throwable t) {
                                thrown.set(t);
                            }
                            returnedAt[0] = System.nanoTime();
                            flag.set(Thread.currentThread().isInterrupted());
                        },
                        "reliability-interrupted-" + seed);
                long start = System.nanoTime();
                runner.start();
                Thread.sleep(interruptAfter);
                String phase = phase(wire, decisions, start);
                long interruptedAt = System.nanoTime();
                runner.interrupt();
                runner.join(10_000);
                List<String> v = new ArrayList<>();
                if (runner.isAlive()) {
                    v.add("the run did not return within 10 s of the interrupt");
                    return new Result(seed, phase, 10_000, v, "");
                }
                if (thrown.get() == null && returnedAt[0] < interruptedAt) {
                    // nothing held this seed's run past the interrupt time (a fast machine): nothing to check here
                    return new Result(seed, FINISHED_FIRST, 0, List.of(), "seed " + seed + ": " + FINISHED_FIRST);
                }
                long stopMillis = (returnedAt[0] - interruptedAt) / 1_000_000;
                decisions.runReturned(returnedAt[0]);
                sim.faults(FaultPlan.none());
                Map<String, SimAdmin.Obj> after = admin.snapshot();
                if (stopMillis > PROMPT.toMillis()) {
                    v.add("returned " + stopMillis + " ms after the interrupt");
                }
                if (!Boolean.TRUE.equals(flag.get())) {
                    v.add("the interrupt flag was not restored");
                }
                CleanupReport report;
                if (thrown.get() instanceof CleanupInterruptedException) {
                    report = ((CleanupInterruptedException) thrown.get()).report();
                } else {
                    v.add("expected CleanupInterruptedException, got "
                            + (thrown.get() == null
                                    ? "a report: " + returned.get().summary()
                                    : thrown.get()));
                    return new Result(seed, phase, stopMillis, v, "");
                }
                observer.await(
                        report.outcomes().stream()
                                .filter(o -> !o.isScopeOutcome())
                                .map(Outcome::uid)
                                .toList(),
                        List.of(),
                        Duration.ofSeconds(5));
                checkPartialReport(report, before, after, wire, observer.lives(), v);
                for (WireLog.Exchange x : wire.exchanges()) {
                    if (x.startNanos() > returnedAt[0]) {
                        v.add("request sent after the run returned: " + x.method() + " " + x.path());
                    }
                }
                decisions.late().forEach(d -> v.add("outcome decided after the run returned: " + d.outcome()));
                v.addAll(leakedThreads(wire.threads()));
                client.getHttpClient().connectionPool().evictAll();
                String summary = String.format(
                        Locale.ROOT,
                        "seed %d: interrupted at %d ms while %s, stopped in %d ms: %s",
                        seed,
                        interruptAfter,
                        phase,
                        stopMillis,
                        report.summary());
                return new Result(seed, phase, stopMillis, v, summary);
            }
        }
    }

    /** What the run was doing when interrupted, from what it had sent and decided so far. */
    private static String phase(WireLog wire, DecisionLog decisions, long start) {
        List<WireLog.Exchange> sent = wire.exchanges();
        boolean deleting = sent.stream().anyMatch(WireLog.Exchange::isDelete);
        boolean listing = sent.stream().anyMatch(WireLog.Exchange::isList);
        if (!listing) {
            return "starting";
        }
        if (!deleting) {
            return "listing";
        }
        long lastDelete = sent.stream()
                .filter(WireLog.Exchange::isDelete)
                .mapToLong(WireLog.Exchange::startNanos)
                .max()
                .orElse(start);
        return System.nanoTime() - lastDelete > 300_000_000L ? "waiting" : "deleting";
    }

    private static void checkPartialReport(
            CleanupReport report,
            Map<String, SimAdmin.Obj> before,
            Map<String, SimAdmin.Obj> after,
            WireLog wire,
            Map<String, ClusterObserver.Life> lives,
            List<String> v) {
        Set<String> listedByEngine = new HashSet<>();
        wire.listCalls().forEach(c -> listedByEngine.addAll(c.union()));
        Set<String> seen = new HashSet<>();
        for (Outcome o : report.outcomes()) {
            if (o.isScopeOutcome()) {
                continue;
            }
            if (!seen.add(o.uid())) {
                v.add("reported twice: " + o.qualifiedName() + " "
                        + report.outcomes().stream()
                                .filter(x -> x.uid().equals(o.uid()))
                                .map(x -> x.status().toString())
                                .toList());
            }
            SimAdmin.Obj listed = before.get(o.uid());
            ClusterObserver.Life life = lives.get(o.uid());
            if (listed == null
                    && (life == null || !life.namespace.equals("ns-a") || !listedByEngine.contains(o.uid()))) {
                v.add("reported an object neither there at the start nor re-created and listed: " + o);
            } else if (listed != null && !listed.namespace().equals("ns-a")) {
                v.add("reported an out-of-scope object: " + o);
            }
            if ((o.status() == Outcome.Status.DELETED || o.status() == Outcome.Status.ALREADY_GONE)
                    && after.containsKey(o.uid())) {
                v.add("reported " + o.status() + " but still present: " + o);
            }
            if (o.status() == Outcome.Status.FAILED && o.detail().startsWith("interrupted") && o.httpStatus() != 0) {
                v.add("odd interrupted outcome: " + o);
            }
        }
        for (WireLog.Exchange x : wire.exchanges()) {
            if (x.isDelete() && x.code() != 0) {
                String uid = x.uidInBody();
                if (uid == null || !seen.contains(uid)) {
                    v.add("DELETE of " + x.key() + " reached the server but is not in the partial report");
                }
            }
        }
        before.forEach((uid, o) -> {
            if (!o.namespace().equals("ns-a")) {
                SimAdmin.Obj now = after.get(uid);
                if (now == null || now.resourceVersion() != o.resourceVersion()) {
                    v.add("out-of-scope " + o.key() + " was changed");
                }
            }
        });
    }

    private static List<String> leakedThreads(Set<String> used) throws InterruptedException {
        Set<String> prefixes = new HashSet<>();
        for (String name : used) {
            Matcher m = WORKER.matcher(name);
            if (m.matches()) {
                prefixes.add(m.group(1));
            }
        }
        long end = System.nanoTime() + ScenarioRun.THREAD_GRACE.toNanos();
        while (true) {
            List<String> alive = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && prefixes.stream().anyMatch(p -> t.getName().startsWith(p))) {
                    alive.add(t.getName());
                }
            }
            if (alive.isEmpty()) {
                return List.of();
            }
            if (System.nanoTime() > end) {
                return List.of(
                        "worker threads alive " + ScenarioRun.THREAD_GRACE.toMillis() + " ms after the run: " + alive);
            }
            Thread.sleep(2);
        }
    }
}
