package dev.kubeteardown.bench;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.sim.Verb;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks the measured results against the targets of the benchmark issue and says by how much each is met or
 * missed. Only the benchmark measures these; no unit test asserts a time.
 */
final class Targets {

    /** Requests for waiting that count as "a small N-independent number". */
    static final int MAX_WAIT_REQUESTS = 10;
    /** Peak heap growth per extra object that still counts as "not growing with N". */
    static final double MAX_HEAP_BYTES_PER_OBJECT = 100;
    /** The adaptive default's median over the best fixed parallelism's. */
    static final double ADAPTIVE_VS_BEST = 1.15;
    /** The adaptive default's median over that of the fixed parallelism it starts from. */
    static final double ADAPTIVE_VS_START = 1.05;

    /** One target: met or not, and the numbers behind the verdict. */
    record Check(String target, boolean met, String detail) {}

    private final List<WorkloadResult> results;

    Targets(List<WorkloadResult> results) {
        this.results = results;
    }

    List<Check> evaluate() {
        List<Check> checks = new ArrayList<>();
        speedup(1000, 5, 10).ifPresent(checks::add);
        speedup(1000, 20, 20).ifPresent(checks::add);
        checks.add(limit());
        checks.add(adaptive());
        checks.add(requests());
        heap().ifPresent(checks::add);
        return checks;
    }

    private Optional<Check> speedup(int backups, int latencyMs, double factor) {
        return find(backups, latencyMs).map(r -> {
            double best = r.speedup(r.best());
            double def = r.speedup(r.defaults());
            String naive = r.naive().measured() ? "" : " (naive estimated, not run)";
            return new Check(
                    String.format(
                            Locale.ROOT, ">= %.0fx faster than naive at N=%,d, %d ms", factor, backups, latencyMs),
                    best >= factor,
                    String.format(
                            Locale.ROOT,
                            "best (%s) %.1fx, default settings %.1fx%s",
                            r.best().name(),
                            best,
                            def,
                            naive));
        });
    }

    private Check limit() {
        List<String> parts = new ArrayList<>();
        boolean met = true;
        for (WorkloadResult r : results) {
            if (r.workload().backups() < 1000) {
                continue;
            }
            double ratio = r.ratioToLimit(r.best());
            met &= ratio <= 1.5;
            parts.add(String.format(Locale.ROOT, "%s: %.2f", r.workload().label(), ratio));
        }
        return new Check(
                "within 1.5x of the limit at N >= 1,000 (best variant, limit at its parallelism)",
                met,
                parts.isEmpty() ? "no workload with N >= 1,000" : String.join("; ", parts));
    }

    /**
     * The adaptive default against fixed settings on the same workload: within {@value #ADAPTIVE_VS_BEST} of the best
     * of the sweep, and at most {@value #ADAPTIVE_VS_START} of the fixed parallelism it starts from.
     */
    private Check adaptive() {
        List<String> parts = new ArrayList<>();
        boolean met = true;
        for (WorkloadResult r : results) {
            double def = r.defaults().medianSeconds();
            double vsBest = def / r.best().medianSeconds();
            met &= vsBest <= ADAPTIVE_VS_BEST;
            String part = String.format(
                    Locale.ROOT,
                    "%s: %.2fx best (%s)",
                    r.workload().label(),
                    vsBest,
                    r.best().name());
            Optional<VariantResult> start = r.sweep().stream()
                    .filter(v -> v.measured() && v.parallelism() == CleanupBuilder.DEFAULT_PARALLELISM)
                    .findFirst();
            if (start.isPresent()) {
                double vsStart = def / start.get().medianSeconds();
                met &= vsStart <= ADAPTIVE_VS_START;
                part += String.format(Locale.ROOT, ", %.2fx p=%d", vsStart, CleanupBuilder.DEFAULT_PARALLELISM);
            }
            parts.add(part);
        }
        return new Check(
                String.format(
                        Locale.ROOT,
                        "adaptive default within %.2fx of the best fixed parallelism and <= %.2fx of p=%d",
                        ADAPTIVE_VS_BEST,
                        ADAPTIVE_VS_START,
                        CleanupBuilder.DEFAULT_PARALLELISM),
                met,
                parts.isEmpty() ? "no workload" : String.join("; ", parts));
    }

    private Check requests() {
        boolean met = true;
        int maxWait = 0;
        int maxExtraDeletes = Integer.MIN_VALUE;
        for (WorkloadResult r : results) {
            for (VariantResult v : List.of(r.defaults(), r.best())) {
                RunMeasurement m = v.medianRun();
                Workload w = r.workload();
                long pages = ceilDiv(w.volumes(), CleanupBuilder.DEFAULT_PAGE_SIZE)
                        + ceilDiv(w.backups(), CleanupBuilder.DEFAULT_PAGE_SIZE);
                long wait = m.requests(Verb.LIST) - pages + m.requests(Verb.WATCH) + m.requests(Verb.GET);
                long extraDeletes = m.requests(Verb.DELETE) - w.objects();
                maxWait = (int) Math.max(maxWait, wait);
                maxExtraDeletes = (int) Math.max(maxExtraDeletes, extraDeletes);
                met &= extraDeletes <= 0 && wait <= MAX_WAIT_REQUESTS && m.requests(Verb.PATCH) == 0;
            }
        }
        return new Check(
                "requests <= N deletes + ceil(N/500) list pages + a small N-independent number for waiting",
                met,
                String.format(
                        Locale.ROOT,
                        "deletes - objects: at most %d; requests for waiting (lists beyond the"
                                + " pages, watches, gets): at most %d in any workload (limit %d)",
                        maxExtraDeletes,
                        maxWait,
                        MAX_WAIT_REQUESTS));
    }

    /**
     * Heap that grows with N on the client's side. Client and simulated server share the heap, and the server's
     * own growth (its watch history keeps every version of every deleted object) is the same whatever deletes the
     * objects, so the client's share is kube-teardown's figure minus naive's on the same workload, per object: the
     * highest post-GC heap during the run (live set) and the heap still live after the run with the reports held.
     */
    private Optional<Check> heap() {
        List<String> parts = new ArrayList<>();
        boolean met = true;
        for (WorkloadResult r : results) {
            if (!r.naive().measured() || r.workload().backups() < 1000) {
                continue;
            }
            double n = r.workload().objects();
            double retained = (r.defaults().retainedBytes() - r.naive().retainedBytes()) / n;
            double live = r.defaults().peakAfterGcBytes() < 0 || r.naive().peakAfterGcBytes() < 0
                    ? Double.NaN
                    : (r.defaults().peakAfterGcBytes() - r.naive().peakAfterGcBytes()) / n;
            met &= retained <= MAX_HEAP_BYTES_PER_OBJECT && !(live > MAX_HEAP_BYTES_PER_OBJECT);
            parts.add(String.format(
                    Locale.ROOT,
                    "%s: retained after the run %+.0f B/object, peak live (post-GC) %s" + " B/object over naive",
                    r.workload().label(),
                    retained,
                    Double.isNaN(live) ? "n/a" : String.format(Locale.ROOT, "%+.0f", live)));
        }
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Check(
                "heap does not grow with N (default settings, over naive on the same workload;" + " <= "
                        + (int) MAX_HEAP_BYTES_PER_OBJECT + " B per object)",
                met,
                String.join("; ", parts)));
    }

    private Optional<WorkloadResult> find(int backups, int latencyMs) {
        return results.stream()
                .filter(r -> r.workload().backups() == backups
                        && r.workload().latency().toMillis() == latencyMs)
                .findFirst();
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
