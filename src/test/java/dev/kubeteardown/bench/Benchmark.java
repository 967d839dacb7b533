package dev.kubeteardown.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs every variant on every workload, within the {@link RunBudget}, and prints progress as it goes. Each run
 * gets a fresh simulator; one process, so JIT state is shared, hence the warm-up before anything is measured.
 */
final class Benchmark {

    private final BenchOptions options;
    private final RunBudget budget;
    private final LimitModel limits;
    private final VariantRunner runner = new VariantRunner();
    private final PrintStream out;

    Benchmark(BenchOptions options, LimitModel limits, RunBudget budget, PrintStream out) {
        this.options = options;
        this.limits = limits;
        this.budget = budget;
        this.out = out;
    }

    List<WorkloadResult> run() throws InterruptedException {
        warmUp();
        List<WorkloadResult> results = new ArrayList<>();
        for (Workload w : options.workloads()) {
            out.printf(
                    Locale.ROOT,
                    "== %s: %d backup volumes x %d backups + %d failed; controller delays %s ==%n",
                    w.label(),
                    w.volumes(),
                    w.backupsPerVolume(),
                    w.failedBackups(),
                    w.delays());
            VariantResult naive = measure(new NaiveVariant(), w);
            KubeTeardownVariant defaultVariant = KubeTeardownVariant.defaults();
            VariantResult defaults = measure(defaultVariant, w);
            List<VariantResult> sweep = new ArrayList<>();
            for (int p : options.parallelism) { // the default adapts: p=8, its starting point, is measured on its own
                sweep.add(measure(KubeTeardownVariant.withParallelism(p), w));
            }
            WorkloadResult result = new WorkloadResult(w, naive, defaults, sweep, limits);
            VariantResult best = result.best();
            out.printf(
                    Locale.ROOT,
                    "-> %s: naive %s, default %.3f s, best %s %.3f s, limit(p=%d) %.3f s,"
                            + " best/limit %.2f, %.1fx faster than naive%n",
                    w.label(),
                    naive.measured()
                            ? String.format(Locale.ROOT, "%.3f s", naive.medianSeconds())
                            : String.format(Locale.ROOT, "~%.0f s (estimate)", naive.medianSeconds()),
                    defaults.medianSeconds(),
                    best.name(),
                    best.medianSeconds(),
                    best.parallelism(),
                    result.limitSeconds(best),
                    result.ratioToLimit(best),
                    result.speedup(best));
            results.add(result);
        }
        return results;
    }

    /** JIT warm-up on a mid-sized workload without latency; nothing is recorded. */
    private void warmUp() throws InterruptedException {
        Workload w = Workload.of(options.quick ? 200 : 1000, Duration.ZERO, options.delays());
        out.println("warm-up on " + w.label() + " (not measured)");
        List<Variant> variants = new ArrayList<>(
                List.of(KubeTeardownVariant.defaults(), KubeTeardownVariant.withParallelism(64), new NaiveVariant()));
        if (!options.quick) {
            variants.addAll(List.of(KubeTeardownVariant.defaults(), KubeTeardownVariant.withParallelism(64)));
        }
        for (Variant v : variants) {
            runner.run(w, v);
        }
    }

    private VariantResult measure(Variant variant, Workload w) throws InterruptedException {
        Duration estimate = budget.estimate(variant, w);
        if (budget.skip(variant, w)) {
            out.printf(
                    Locale.ROOT,
                    "   %-22s not run: estimated %.0f s exceeds the naive budget of %d s%n",
                    variant.name(),
                    estimate.toMillis() / 1000.0,
                    options.naiveBudget.toSeconds());
            return VariantResult.skipped(
                    variant,
                    estimate,
                    String.format(
                            Locale.ROOT,
                            "not run: estimated %.0f s > budget %d s",
                            estimate.toMillis() / 1000.0,
                            options.naiveBudget.toSeconds()));
        }
        if (budget.warmUp(variant, w)) {
            runner.run(w, variant);
        }
        int runs = budget.runs(variant, w);
        List<RunMeasurement> measured = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            RunMeasurement m = runner.run(w, variant);
            budget.learn(variant, w, m);
            measured.add(m);
            out.printf(
                    Locale.ROOT,
                    "   %-22s run %d/%d: %8.3f s  cpu %5.2f s (client %.2f, server %.2f, others %.2f)  gc %.2f s  %s"
                            + "  peak heap +%.1f MB%s%n",
                    variant.name(),
                    i,
                    runs,
                    m.wallSeconds(),
                    m.cpuNanos() / 1e9,
                    m.cpuSplit().clientSeconds(),
                    m.cpuSplit().serverSeconds(),
                    m.otherCpuNanos() / 1e9,
                    m.heap().gcMillis() / 1e3,
                    m.requests(),
                    m.heap().peakUsed() / 1e6,
                    m.clean() ? "" : "  NOT CLEAN: " + m.problem());
            if (variant instanceof KubeTeardownVariant k && k.isDefault()) {
                out.println("      parallelism per step: " + k.lastParallelism());
            }
        }
        String note = runs < options.runs
                ? "runs reduced to " + runs + " by the budget (estimate "
                        + String.format(Locale.ROOT, "%.1f s", estimate.toMillis() / 1000.0) + ")"
                : "";
        return new VariantResult(variant.name(), variant.parallelism(), measured, estimate, note);
    }
}
