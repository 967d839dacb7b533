package dev.kubeteardown.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's flags. {@code --quick} is one small workload (N = 1,000 at 5 ms) and a short budget; every other
 * flag overrides the preset.
 */
final class BenchOptions {

    static final String USAGE = String.join(
            "\n",
            "usage: scripts/bench [--quick] [flags]",
            "  --quick                   one workload (N=1000, 5 ms), naive once, kube-teardown default and p=64 x3",
            "  --real                    on a real kube-apiserver 1.20.2 (scripts/test-cluster): naive, kube-teardown",
            "                            default and p=32, one deletecollection; the CLI as new processes (java -jar and",
            "                            target/kube-teardown) against a curl naive loop and a curl deletecollection;",
            "                            the CLI 5 times in one JVM; N=100,1000,3000, 3 runs; target/bench/real.md",
            "  --audit                   with --real: the apiserver writes an audit log (target/bench/real-audit.md)",
            "  --backups LIST            backups per workload, e.g. 100,1000,10000 (default)",
            "  --latency-ms LIST         per-request latency of the API server in ms, e.g. 0,5,20 (default)",
            "  --parallelism LIST        sweep for 'kube-teardown best', e.g. 4,8,16,32,64 (default)",
            "  --runs N                  measured runs per variant, at most (default 5)",
            "  --variant-budget-s S      fewer runs when runs x estimate exceeds this (default 30)",
            "  --naive-budget-s S        do not run naive when its estimate exceeds this; report the estimate (default 90)",
            "  --warmup-budget-ms MS     one warm-up run per variant when its estimate is under this (default 2000)",
            "  --cascade-delay-ms MS     garbage collector start after a backup volume is gone (default 200)",
            "  --remote-delete-delay-ms MS  finalizer release after a delete (default 200)",
            "  --gc-pace-ms MS           garbage collector time per backup (default 50: kube-controller-manager's 20 QPS)",
            "  --out DIR                 where results go (default target/bench)",
            "  --help");

    boolean quick;
    boolean help;
    boolean real;
    boolean audit;
    List<Integer> backups = List.of(100, 1000, 10000);
    List<Integer> latenciesMs = List.of(0, 5, 20);
    List<Integer> parallelism = List.of(4, 8, 16, 32, 64);
    int runs = 5;
    Duration variantBudget = Duration.ofSeconds(30);
    Duration naiveBudget = Duration.ofSeconds(90);
    Duration warmupBudget = Duration.ofMillis(2000);
    Duration cascadeDelay = ControllerDelays.DEFAULT.cascadeDelay();
    Duration remoteDeleteDelay = ControllerDelays.DEFAULT.remoteDeleteDelay();
    Duration gcPace = ControllerDelays.DEFAULT.gcPace();
    Path out = Path.of("target", "bench");

    static BenchOptions parse(String... rawArgs) {
        List<String> args = split(rawArgs);
        BenchOptions o = new BenchOptions();
        if (args.contains("--quick")) {
            o.quick = true;
            o.backups = List.of(1000);
            o.latenciesMs = List.of(5);
            o.parallelism = List.of(64);
            o.runs = 3;
            o.variantBudget = Duration.ofSeconds(5);
            o.warmupBudget = Duration.ZERO; // the global warm-up is enough for a quick look
        }
        if (args.contains("--real")) {
            o.real = true;
            o.backups = List.of(100, 1000, 3000);
            o.runs = 3;
        }
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            String value = null;
            int eq = flag.indexOf('=');
            if (eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "--quick", "--real" -> {}
                case "--audit" -> o.audit = true;
                case "--help", "-h" -> o.help = true;
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
                        }
                        value = args.get(++i);
                    }
                    o.set(flag, value);
                }
            }
        }
        return o;
    }

    private void set(String flag, String value) {
        switch (flag) {
            case "--backups" -> backups = ints(flag, value, 2);
            case "--latency-ms" -> latenciesMs = ints(flag, value, 0);
            case "--parallelism" -> parallelism = ints(flag, value, 1);
            case "--runs" -> runs = ints(flag, value, 1).get(0);
            case "--variant-budget-s" ->
                variantBudget = Duration.ofSeconds(ints(flag, value, 1).get(0));
            case "--naive-budget-s" ->
                naiveBudget = Duration.ofSeconds(ints(flag, value, 0).get(0));
            case "--warmup-budget-ms" ->
                warmupBudget = Duration.ofMillis(ints(flag, value, 0).get(0));
            case "--cascade-delay-ms" ->
                cascadeDelay = Duration.ofMillis(ints(flag, value, 0).get(0));
            case "--remote-delete-delay-ms" ->
                remoteDeleteDelay = Duration.ofMillis(ints(flag, value, 0).get(0));
            case "--gc-pace-ms" ->
                gcPace = Duration.ofMillis(ints(flag, value, 0).get(0));
            case "--out" -> out = Path.of(value);
            default -> throw new IllegalArgumentException("unknown flag " + flag + "\n" + USAGE);
        }
    }

    ControllerDelays delays() {
        return new ControllerDelays(cascadeDelay, remoteDeleteDelay, gcPace);
    }

    /** Workloads from small to large (the budget learns from the smaller ones). */
    List<Workload> workloads() {
        List<Workload> workloads = new ArrayList<>();
        for (int n : backups.stream().sorted().toList()) {
            for (int latency : latenciesMs.stream().sorted().toList()) {
                workloads.add(Workload.of(n, Duration.ofMillis(latency), delays()));
            }
        }
        return workloads;
    }

    /** Maven hands the arguments over as one string; split it as a shell would (no quoting needed here). */
    private static List<String> split(String... rawArgs) {
        List<String> args = new ArrayList<>();
        for (String raw : rawArgs) {
            Arrays.stream(raw.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(args::add);
        }
        return args;
    }

    private static List<Integer> ints(String flag, String value, int min) {
        List<Integer> values = new ArrayList<>();
        for (String part : value.split(",")) {
            int v;
            try {
                v = Integer.parseInt(part.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " takes whole numbers, was \"" + value + "\"");
            }
            if (v < min) {
                throw new IllegalArgumentException(flag + " values must be >= " + min + ", was " + v);
            }
            values.add(v);
        }
        return List.copyOf(values);
    }
}
