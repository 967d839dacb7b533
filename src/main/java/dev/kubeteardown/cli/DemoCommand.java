package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.longhorn.LonghornCleanupBuilder;
import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.SeededBackupstore;
import dev.kubeteardown.sim.Verb;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shows the library doing its job without a cluster: an embedded simulated Longhorn with a realistic backupstore,
 * torn down exactly as Longhorn's suite does it (backup volumes, then backups).
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Tear down a simulated Longhorn backupstore (no cluster needed), as Longhorn's suite does:",
            "backup volumes, then backups. --naive also runs the original algorithm on the same backupstore."
        })
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--volumes",
            defaultValue = "20",
            description = "Backup volumes to seed (default: ${DEFAULT-VALUE}).")
    int volumes;

    @Option(
            names = "--backups-per-volume",
            defaultValue = "10",
            description = "Backups per volume (default: ${DEFAULT-VALUE}).")
    int backupsPerVolume;

    @Option(
            names = "--failed",
            defaultValue = "3",
            description = "Extra backups in Error state without an owner (default: ${DEFAULT-VALUE}).")
    int failed;

    @Option(
            names = "--cascade-delay",
            defaultValue = "200ms",
            converter = DurationConverter.class,
            description =
                    "Delay between a backup volume going and the garbage collector deleting its backups (default: ${DEFAULT-VALUE}).")
    Duration cascadeDelay;

    @Option(
            names = "--gc-pace",
            defaultValue = "5ms",
            converter = DurationConverter.class,
            description =
                    "Time the garbage collector takes per backup of a deleted volume, one at a time for the cluster (default: ${DEFAULT-VALUE}).")
    Duration gcPace;

    @Option(
            names = "--remote-delete-delay",
            defaultValue = "100ms",
            converter = DurationConverter.class,
            description = "Delay before a deleted backup's finalizer is released (default: ${DEFAULT-VALUE}).")
    Duration remoteDeleteDelay;

    // a client that takes no time per request outruns the garbage collector and never meets the race
    @Option(
            names = "--latency",
            defaultValue = "2ms",
            converter = DurationConverter.class,
            description =
                    "Latency of every API request, as a nearby API server's round trip (default: ${DEFAULT-VALUE}).")
    Duration latency;

    @Option(
            names = "--error-rate",
            defaultValue = "0",
            description = "Share of deletes answered 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    double errorRate;

    // the garbage collector's own races depend on how fast each side is (a fast client outruns it and never meets
    // one); this one is decided per request, from the seed, so the demo shows the 404 on any machine
    @Option(
            names = "--race-rate",
            defaultValue = "0.05",
            description =
                    "Share of backup deletes that Longhorn wins outright: the backup is removed right before the delete"
                            + " is applied, so it gets 404 (default: ${DEFAULT-VALUE}; 1 makes --naive fail on its first backup delete).")
    double raceRate;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the simulated backupstore and faults (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--parallelism",
            defaultValue = "8",
            description = "Concurrent deletes (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--timeout",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "Deadline of each step, waits included (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--naive",
            description = "Also run the original algorithm (no 404 tolerance) on the same backupstore, side by side.")
    boolean naive;

    @Option(names = "--all", description = "List every object in the text output, not only examples.")
    boolean all;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean text = output.isText();
        boolean tty = text && System.console() != null;
        if (volumes < 0 || backupsPerVolume < 0 || failed < 0) {
            throw new IllegalArgumentException("--volumes, --backups-per-volume and --failed must be >= 0");
        }
        BackupstoreSpec store = BackupstoreSpec.of(volumes, backupsPerVolume)
                .failedBackups(failed)
                .seed(seed);
        NaiveTeardown.Result naiveResult = null;
        if (naive) {
            naiveResult = runNaive(store, text ? out : new PrintWriter(java.io.OutputStream.nullOutputStream()));
        }
        try (LonghornSimulator cluster = simulator(store)) {
            SeededBackupstore seeded = cluster.seed(store);
            if (text) {
                out.printf(
                        Locale.ROOT,
                        "Simulated Longhorn (seed %d): %d backup volumes, %d backups (%d failed, without owner),"
                                + " API server %s%n",
                        seed,
                        seeded.backupVolumes().size(),
                        seeded.backupCount(),
                        seeded.failedBackups().size(),
                        cluster.url());
                out.printf(
                        Locale.ROOT,
                        "Longhorn removes a gone volume's backups after %d ms, one per %d ms, and wins %.0f %%"
                                + " of backup deletes outright (--race-rate): those get 404%n",
                        cascadeDelay.toMillis(),
                        gcPace.toMillis(),
                        raceRate * 100);
                out.println("kube-teardown, in the order of Longhorn's suite (backup volumes, then backups):");
                out.flush();
            }
            LonghornTeardown.Options options = new LonghornTeardown.Options() {
                @Override
                public <B extends LonghornCleanupBuilder<B>> B apply(B b) {
                    return b.parallelism(parallelism).timeout(timeout);
                }
            };
            List<CleanupReport> reports = new LonghornTeardown(cluster.apiClient(), options)
                    .run(text ? label -> new ProgressDisplay(out, tty, label) : label -> StepProgress.NONE);
            int code = Main.exitCode(reports);
            ReportPrinter printer = new ReportPrinter(out);
            if (text) {
                printer.text(reports, all);
                out.println();
                out.printf(
                        Locale.ROOT,
                        "kube-teardown: %s in %.2f s, %d ALREADY_GONE (removed by Longhorn itself, not errors);"
                                + " %d API requests (%s)%n",
                        code == Main.CLEAN ? "clean" : "NOT CLEAN",
                        reports.stream().mapToLong(r -> r.duration().toMillis()).sum() / 1000.0,
                        reports.stream()
                                .mapToLong(r -> r.count(dev.kubeteardown.Outcome.Status.ALREADY_GONE))
                                .sum(),
                        cluster.requests().total(),
                        cluster.requests().byVerb());
                if (naiveResult != null) {
                    out.println("naive:         " + describe(naiveResult));
                }
            } else {
                com.google.gson.JsonObject extra = new com.google.gson.JsonObject();
                if (naiveResult != null) {
                    com.google.gson.JsonObject n = new com.google.gson.JsonObject();
                    n.addProperty("succeeded", naiveResult.succeeded());
                    n.addProperty("durationMillis", naiveResult.duration().toMillis());
                    n.addProperty("deleted", naiveResult.deleted());
                    if (naiveResult.failure() != null) {
                        n.addProperty("failure", naiveResult.failureMessage());
                    }
                    extra.add("naive", n);
                }
                printer.json(reports, extra);
            }
            return code;
        }
    }

    private LonghornSimulator simulator(BackupstoreSpec store) {
        FaultPlan.Builder faults = FaultPlan.builder().seed(seed);
        if (latency.compareTo(Duration.ZERO) > 0) {
            for (Verb verb : Verb.values()) {
                faults.on(verb).latency(latency);
            }
        }
        if (raceRate > 0) {
            faults.on(Verb.DELETE, "backups").notFoundRace(raceRate);
        }
        if (errorRate > 0) {
            faults.on(Verb.DELETE).errorRate(503, errorRate).retryAfter(Duration.ofSeconds(1));
        }
        return LonghornSimulator.builder()
                .cascadeDelay(cascadeDelay)
                .gcPace(gcPace)
                .remoteDeleteDelay(remoteDeleteDelay)
                .faults(faults.build())
                .start();
    }

    private NaiveTeardown.Result runNaive(BackupstoreSpec store, PrintWriter out) throws InterruptedException {
        try (LonghornSimulator cluster = simulator(store)) {
            cluster.seed(store);
            out.println(
                    "The original algorithm (--naive: one delete at a time, 1 s polls, no 404 tolerance), same backupstore:");
            out.flush();
            NaiveTeardown.Result result = new NaiveTeardown(
                            cluster.apiClient(), "longhorn-system", "v1beta2", false, line -> {
                                out.println("  " + line);
                                out.flush();
                            })
                    .run();
            out.println("  " + describe(result));
            out.println();
            out.flush();
            return result;
        }
    }

    static String describe(NaiveTeardown.Result r) {
        String took = String.format(Locale.ROOT, "%.2f s", r.duration().toMillis() / 1000.0);
        if (r.succeeded()) {
            return "completed in " + took + " (" + r.deleted() + " deletes, " + r.polls() + " one-second polls)";
        }
        return "FAILED after " + took + ": " + r.failureMessage() + " - the race kube-teardown counts as ALREADY_GONE";
    }
}
