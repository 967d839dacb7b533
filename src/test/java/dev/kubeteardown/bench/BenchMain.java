package dev.kubeteardown.bench;

import dev.kubeteardown.CleanupBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of {@code scripts/bench}: end-to-end wall time of Longhorn's teardown (backup volumes, then backups)
 * with the original algorithm, kube-teardown's defaults and its best parallelism, against the limit model.
 * Writes {@code results.md}, {@code results.json} and {@code wall-time.svg} ({@code quick.md}/{@code quick.json}
 * with {@code --quick}) and prints, last, the speed-up over naive.
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        if (options.real) {
            System.exit(new RealBench(options, System.out).run());
            return;
        }
        if (options.scale) {
            System.exit(new ScaleBench(options, System.out).run());
            return;
        }
        System.exit(run(options, System.out));
    }

    static int run(BenchOptions options, PrintStream out) throws InterruptedException, IOException {
        long start = System.nanoTime();
        LimitModel limits = new LimitModel(CleanupBuilder.DEFAULT_PAGE_SIZE);
        RunBudget budget =
                new RunBudget(options.runs, options.variantBudget, options.warmupBudget, options.naiveBudget, limits);
        BenchEnvironment environment = new BenchEnvironment(options, budget);
        List<WorkloadResult> results = new Benchmark(options, limits, budget, out).run();
        environment.finished(Duration.ofNanos(System.nanoTime() - start));
        List<Targets.Check> checks = options.quick ? List.of() : new Targets(results).evaluate();
        String base = options.quick ? "quick" : "results";
        Files.createDirectories(options.out);
        Path md = write(options.out.resolve(base + ".md"), new MarkdownReport(environment, results, checks).render());
        Path json = write(options.out.resolve(base + ".json"), new JsonReport(environment, results, checks).render());
        out.println();
        out.print(new MarkdownReport(environment, results, checks).summary());
        out.println();
        for (Targets.Check c : checks) {
            out.println((c.met() ? "target met:    " : "target MISSED: ") + c.target() + " - " + c.detail());
        }
        if (!options.quick) {
            Path svg = write(options.out.resolve("wall-time.svg"), new SvgChart(results).render());
            out.println("written: " + md + ", " + json + ", " + svg);
        } else {
            out.println("written: " + md + ", " + json);
        }
        boolean clean = results.stream()
                .allMatch(r -> r.defaults().allClean()
                        && r.sweep().stream().allMatch(VariantResult::allClean)
                        && (!r.naive().measured() || r.naive().allClean()));
        if (!clean) {
            out.println("WARNING: some runs did not end clean; see the details table");
        }
        out.println(lastLine(options, results, environment));
        return clean ? 0 : 1;
    }

    /** Quick: the speed-up over naive; full run: the speed-up at the largest measured-naive workload. */
    private static String lastLine(BenchOptions options, List<WorkloadResult> results, BenchEnvironment env) {
        WorkloadResult r = options.quick
                ? results.get(0)
                : results.stream()
                        .filter(w -> w.naive().measured())
                        .reduce((a, b) -> b)
                        .orElse(results.get(results.size() - 1));
        VariantResult best = r.best();
        String naive = (r.naive().measured() ? "" : "~")
                + Format.seconds(r.naive().medianSeconds()) + " s" + (r.naive().measured() ? "" : " (estimate)");
        return String.format(
                Locale.ROOT,
                "%s: kube-teardown %s s (parallelism %d; default settings %s s) vs naive %s:"
                        + " %.1fx faster (default settings %.1fx) on %s",
                options.quick ? "quick" : "bench",
                Format.seconds(best.medianSeconds()),
                best.parallelism(),
                Format.seconds(r.defaults().medianSeconds()),
                naive,
                r.speedup(best),
                r.speedup(r.defaults()),
                r.workload().label());
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
