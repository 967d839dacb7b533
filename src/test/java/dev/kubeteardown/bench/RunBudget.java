package dev.kubeteardown.bench;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Decides how often each variant runs, so the whole benchmark fits its time: a variant runs
 * {@code min(runs, max(1, floor(variantBudget / estimate)))} times, gets one unmeasured warm-up run when its
 * estimate is under {@code warmupBudget}, and naive is not run at all when its estimate exceeds
 * {@code naiveBudget} (the report then shows the estimate, marked as such).
 *
 * <p>Estimates: a model of the wall time plus a CPU cost per object learnt from the runs measured so far (the
 * largest workload of the same kind), so workloads should go from small to large.
 * <ul>
 *   <li>naive: {@code (V + N + 6) * L + 2 * 1 s} - every request in sequence (a list, the deletes, two polling
 *       lists per step) and one 1-second poll per step, as the finalizers outlive the first look;</li>
 *   <li>kube-teardown: the {@link LimitModel limit} for its parallelism.</li>
 * </ul>
 */
final class RunBudget {

    private static final Duration NAIVE_POLL = Duration.ofSeconds(1);
    private static final int NAIVE_EXTRA_REQUESTS = 6;

    private final int runs;
    private final Duration variantBudget;
    private final Duration warmupBudget;
    private final Duration naiveBudget;
    private final LimitModel limits;
    private final Map<Variant.Kind, double[]> learnt = new EnumMap<>(Variant.Kind.class);

    RunBudget(int runs, Duration variantBudget, Duration warmupBudget, Duration naiveBudget, LimitModel limits) {
        this.runs = runs;
        this.variantBudget = variantBudget;
        this.warmupBudget = warmupBudget;
        this.naiveBudget = naiveBudget;
        this.limits = limits;
        learnt.put(Variant.Kind.NAIVE, new double[] {0, 0.5e-3});
        learnt.put(Variant.Kind.KUBE_TEARDOWN, new double[] {0, 0.2e-3});
    }

    Duration estimate(Variant variant, Workload w) {
        double perObject = learnt.get(variant.kind())[1];
        return model(variant, w).plus(Duration.ofNanos((long) (perObject * w.objects() * 1e9)));
    }

    boolean skip(Variant variant, Workload w) {
        return variant.kind() == Variant.Kind.NAIVE && estimate(variant, w).compareTo(naiveBudget) > 0;
    }

    int runs(Variant variant, Workload w) {
        long est = Math.max(1, estimate(variant, w).toMillis());
        return (int) Math.max(1, Math.min(runs, variantBudget.toMillis() / est));
    }

    boolean warmUp(Variant variant, Workload w) {
        return estimate(variant, w).compareTo(warmupBudget) <= 0;
    }

    /** Learns the CPU cost per object from a measured run (the largest workload seen so far wins). */
    void learn(Variant variant, Workload w, RunMeasurement run) {
        double[] current = learnt.get(variant.kind());
        if (w.objects() < current[0]) {
            return;
        }
        double residual = run.wallSeconds() - model(variant, w).toNanos() / 1e9;
        current[0] = w.objects();
        current[1] = Math.max(0, residual / w.objects());
    }

    private Duration model(Variant variant, Workload w) {
        if (variant.kind() == Variant.Kind.NAIVE) {
            return w.latency().multipliedBy(w.objects() + NAIVE_EXTRA_REQUESTS).plus(NAIVE_POLL.multipliedBy(2));
        }
        return limits.limit(w, variant.parallelism());
    }

    /** How the budget works, for the reports. */
    String describe() {
        return "each variant runs min(" + runs + ", floor(" + variantBudget.toSeconds()
                + " s / estimate)) times (at least"
                + " once), with a warm-up run when its estimate is under " + warmupBudget.toMillis() + " ms; naive is"
                + " not run when its estimate exceeds " + naiveBudget.toSeconds() + " s (estimate = (V + N + 6) x L"
                + " + 2 x 1 s + learnt CPU cost per object)";
    }
}
