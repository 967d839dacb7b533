package dev.kubeteardown.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.sim.LonghornSimulator;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * {@code scripts/bench --scale}: how time and memory grow with the number of objects. One run of kube-teardown with
 * default settings (and the sweep's 10-minute deadline, so that the largest workload finishes rather than reports
 * STUCK) per workload, N = 1,000 / 10,000 / 100,000 backups by default, side by side: wall time per object, peak heap
 * per object, and the heap a report retains per outcome, measured as the heap live after a full GC with the
 * reports held minus the same with them released (the simulator, still running, is in both). Writes
 * {@code scale.md} and {@code scale.json}; nothing is asserted, the figures are reported.
 */
final class ScaleBench {

    static final List<Integer> DEFAULT_SIZES = List.of(1_000, 10_000, 100_000);

    /**
     * One measured workload.
     *
     * @param reportBytes heap the reports kept live after the run, all outcomes together
     */
    record Row(
            Workload workload,
            int outcomes,
            double wallSeconds,
            HeapSampler.Peak heap,
            long reportBytes,
            boolean clean,
            String problem) {

        double microsPerObject() {
            return wallSeconds * 1e6 / workload.objects();
        }

        double peakBytesPerObject() {
            return (double) heap.peakUsed() / workload.objects();
        }

        double bytesPerOutcome() {
            return outcomes == 0 ? Double.NaN : (double) reportBytes / outcomes;
        }
    }

    private final BenchOptions options;
    private final PrintStream out;
    private final List<Row> rows = new ArrayList<>();

    ScaleBench(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    int run() throws Exception {
        long t0 = System.nanoTime();
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Duration latency = Duration.ofMillis(options.latenciesMs.get(0));
        Workload warmUp = Workload.of(1_000, Duration.ZERO, options.delays());
        out.println("scale: warm-up on " + warmUp.label() + " (not measured)");
        once(warmUp);
        for (int n : options.backups.stream().sorted().toList()) {
            Workload w = Workload.of(n, latency, options.delays());
            Row row = once(w);
            rows.add(row);
            out.printf(
                    Locale.ROOT,
                    "scale: %-28s %8.2f s  %7.1f us/object  peak heap +%.1f MB (%.0f B/object)"
                            + "  report %.1f MB (%.0f B/outcome, %,d outcomes)%s%n",
                    w.label(),
                    row.wallSeconds(),
                    row.microsPerObject(),
                    row.heap().peakUsed() / 1e6,
                    row.peakBytesPerObject(),
                    row.reportBytes() / 1e6,
                    row.bytesPerOutcome(),
                    row.outcomes(),
                    row.clean() ? "" : "  NOT CLEAN: " + row.problem());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Files.createDirectories(options.out);
        Path md = options.out.resolve("scale.md");
        Path json = options.out.resolve("scale.json");
        String markdown = markdown(started, took);
        Files.writeString(md, markdown, StandardCharsets.UTF_8);
        Files.writeString(json, json(started, took), StandardCharsets.UTF_8);
        out.println();
        out.print(markdown);
        out.println("written: " + md + ", " + json);
        boolean clean = rows.stream().allMatch(Row::clean);
        if (!clean) {
            out.println("WARNING: some runs did not end clean; see the table");
        }
        out.println(lastLine());
        return clean ? 0 : 1;
    }

    private Row once(Workload w) throws InterruptedException {
        Variant variant = KubeTeardownVariant.withParallelism(CleanupBuilder.DEFAULT_PARALLELISM);
        try (LonghornSimulator cluster = w.start()) {
            Variant.Result result;
            long wall;
            HeapSampler.Peak peak;
            try (HeapSampler heap = HeapSampler.start()) {
                long start = System.nanoTime();
                result = variant.run(cluster.apiClient());
                wall = System.nanoTime() - start;
                peak = heap.stop();
            }
            int outcomes = outcomes(result);
            long held = settledHeapUsed();
            Reference.reachabilityFence(result);
            boolean variantClean = result.clean();
            String problem = result.problem();
            result = null; // released: what the next measurement no longer sees is what the reports kept
            long released = settledHeapUsed();
            int left = VariantRunner.remaining(cluster.apiClient(), "backupvolumes")
                    + VariantRunner.remaining(cluster.apiClient(), "backups");
            if (left != 0) {
                problem = (problem.isEmpty() ? "" : problem + "; ")
                        + (left < 0 ? "could not list what is left" : left + " objects left");
            }
            return new Row(w, outcomes, wall / 1e9, peak, held - released, variantClean && left == 0, problem);
        }
    }

    private static int outcomes(Variant.Result result) {
        return result.retained() instanceof List<?> reports
                ? reports.stream()
                        .mapToInt(r -> ((CleanupReport) r).outcomes().size())
                        .sum()
                : 0;
    }

    /** Live heap after full collections; twice, so that what the first one only finalized is gone too. */
    private static long settledHeapUsed() {
        HeapSampler.settledHeapUsed();
        return HeapSampler.settledHeapUsed();
    }

    private String markdown(String started, Duration took) {
        StringBuilder sb = new StringBuilder("# kube-teardown at scale (simulator)\n\n");
        sb.append("- Started ")
                .append(started)
                .append(", took ")
                .append(took.toSeconds())
                .append(" s; ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, load average before ")
                .append(String.format(
                        Locale.ROOT,
                        "%.2f",
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append("; ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.runtime.version"))
                .append(", JVM flags `")
                .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
                .append("`.\n");
        sb.append("- One run per workload after one warm-up on N = 1,000 (same JVM): kube-teardown default settings"
                        + " (parallelism ")
                .append(CleanupBuilder.DEFAULT_PARALLELISM)
                .append(", deadline ")
                .append(KubeTeardownVariant.SWEEP_TIMEOUT.toMinutes())
                .append(" min), BackupstoreCleanup then BackupCleanup, on a fresh seeded simulator; controller delays ")
                .append(options.delays())
                .append(".\n");
        sb.append("- Report retained: heap live after a full GC with both steps' reports held, minus the same after"
                + " releasing them (the simulator still running in both); per outcome = that / outcomes.\n\n");
        sb.append("| workload | objects | wall s | us / object | peak heap MB | peak B / object | report MB"
                + " | report B / outcome | clean |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %s | %.1f | %s | %.0f | %s | %.0f | %s |%n",
                    r.workload().label(),
                    r.workload().objects(),
                    Format.seconds(r.wallSeconds()),
                    r.microsPerObject(),
                    Format.megabytes(r.heap().peakUsed()),
                    r.peakBytesPerObject(),
                    Format.megabytes(r.reportBytes()),
                    r.bytesPerOutcome(),
                    r.clean() ? "yes" : "NO: " + r.problem()));
        }
        return sb.toString();
    }

    private String json(String started, Duration took) {
        JsonObject root = new JsonObject();
        root.addProperty("started", started);
        root.addProperty("elapsedSeconds", took.toSeconds());
        root.addProperty("cores", Runtime.getRuntime().availableProcessors());
        root.addProperty(
                "jvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        root.addProperty("parallelism", CleanupBuilder.DEFAULT_PARALLELISM);
        JsonArray array = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("workload", r.workload().id());
            o.addProperty("backups", r.workload().backups());
            o.addProperty("objects", r.workload().objects());
            o.addProperty("outcomes", r.outcomes());
            o.addProperty("wallSeconds", r.wallSeconds());
            o.addProperty("microsPerObject", r.microsPerObject());
            o.addProperty("peakHeapBytes", r.heap().peakUsed());
            o.addProperty("peakAfterGcBytes", r.heap().peakAfterGc());
            o.addProperty("reportBytes", r.reportBytes());
            o.addProperty("reportBytesPerOutcome", r.bytesPerOutcome());
            o.addProperty("clean", r.clean());
            if (!r.problem().isEmpty()) {
                o.addProperty("problem", r.problem());
            }
            array.add(o);
        }
        root.add("workloads", array);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n";
    }

    /** e.g. {@code scale: N=1,000 / 10,000 / 100,000: 95 / 90 / 97 us per object, 190 / 180 / 179 B per outcome}. */
    private String lastLine() {
        return "scale: N="
                + rows.stream().map(r -> Format.count(r.workload().backups())).collect(joining()) + ": "
                + rows.stream()
                        .map(r -> String.format(Locale.ROOT, "%.0f", r.microsPerObject()))
                        .collect(joining())
                + " us per object, "
                + rows.stream()
                        .map(r -> String.format(Locale.ROOT, "%.0f", r.bytesPerOutcome()))
                        .collect(joining())
                + " B retained per outcome";
    }

    private static Collector<CharSequence, ?, String> joining() {
        return Collectors.joining(" / ");
    }
}
