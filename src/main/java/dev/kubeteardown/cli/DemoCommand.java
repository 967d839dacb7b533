package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.longhorn.LonghornCleanupBuilder;
import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.LonghornSimulator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shows the library doing its job without a cluster: an embedded simulated Longhorn with a realistic backupstore,
 * torn down exactly as Longhorn's suite does it (backup volumes, then backups). The simulator comes from
 * {@link SimulatorOptions}, the teardown from {@link LonghornTeardown}, what is shown from {@link DemoOutput}.
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

    @Mixin
    SimulatorOptions simulation;

    @Option(
            names = "--parallelism",
            description = "Concurrent deletes, fixed (default: adaptive, starting at 8, between 1 and 256).")
    Integer parallelism;

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
    public Integer call() throws InterruptedException {
        // every flag before the simulator starts
        Flags.of(spec)
                .parallelism(parallelism)
                .positive("--timeout", timeout)
                .require(!output.isName(), "demo prints -o text or json: it deletes nothing of yours to name");
        simulation.check(Flags.of(spec));
        BackupstoreSpec store = simulation.backupstore();
        DemoOutput show = DemoOutput.of(output, spec.commandLine().getOut(), simulation, all);
        NaiveTeardown.Result naiveResult = naive ? runNaive(store, show) : null;
        try (LonghornSimulator cluster = simulation.start()) {
            show.seeded(cluster.seed(store), cluster.url());
            try {
                List<CleanupReport> reports =
                        new LonghornTeardown(cluster.apiClient(), this::configure).run(show::stepProgress);
                show.finished(reports, cluster.requests(), naiveResult);
                return Main.exitCode(reports);
            } catch (InterruptedRun e) {
                show.finished(e.reports(), cluster.requests(), naiveResult);
                return Main.interrupted(spec.commandLine().getErr());
            }
        }
    }

    private <B extends LonghornCleanupBuilder<B>> B configure(B builder) {
        return (parallelism == null ? builder : builder.parallelism(parallelism)).timeout(timeout);
    }

    /** The original algorithm on a simulated cluster of its own, seeded with the same backupstore. */
    private NaiveTeardown.Result runNaive(BackupstoreSpec store, DemoOutput show) throws InterruptedException {
        try (LonghornSimulator cluster = simulation.start()) {
            cluster.seed(store);
            show.naiveStarted();
            NaiveTeardown.Result result = new NaiveTeardown(
                            cluster.apiClient(), "longhorn-system", "v1beta2", false, show::naiveProgress)
                    .run();
            show.naiveFinished(result);
            return result;
        }
    }
}
