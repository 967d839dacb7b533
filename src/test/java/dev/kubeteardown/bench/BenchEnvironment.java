package dev.kubeteardown.bench;

import com.google.gson.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/** Where and how the benchmark ran: machine, JVM, settings, budget, limit formula. */
final class BenchEnvironment {

    private final BenchOptions options;
    private final RunBudget budget;
    private final String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    private final List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    private Duration elapsed = Duration.ZERO;

    BenchEnvironment(BenchOptions options, RunBudget budget) {
        this.options = options;
        this.budget = budget;
    }

    void finished(Duration total) {
        this.elapsed = total;
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private String jvm() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB, "
                + ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(b -> b.getName())
                        .collect(Collectors.joining(" + "));
    }

    String markdown() {
        ControllerDelays d = options.delays();
        return "- Started " + started + ", took " + elapsed.toSeconds() + " s"
                + (options.quick ? " (--quick)" : "") + "; " + cores() + " cores, " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + "; " + jvm() + "; JVM flags `" + String.join(" ", jvmArgs)
                + "`.\n"
                + "- Server: the in-process Longhorn simulator on loopback (fabric8 mock API server, real pagination,"
                + " watch, preconditions), fresh and seeded identically (seed " + Workload.SEED + ") for every run;"
                + " every request answered after the workload's latency; controller: cascade delay "
                + d.cascadeDelay().toMillis() + " ms, finalizer release (remote delete) "
                + d.remoteDeleteDelay().toMillis()
                + " ms after a delete, garbage collector " + d.gcPace().toMillis() + " ms per backup.\n"
                + "- Workload: N backups = V backup volumes x (N/V - 1) backups + V failed backups without owner"
                + " (V = N/50 within 10..200); the teardown is BackupstoreCleanup then BackupCleanup, as Longhorn's"
                + " suite does it; naive is `NaiveTeardown(tolerate404=true)`; default is the builders with nothing"
                + " set (parallelism 8); best is the fastest of the parallelism sweep " + options.parallelism + ".\n"
                + "- Budget: " + budget.describe() + ".\n"
                + "- Limit: `" + LimitModel.formula() + "` with V backup volumes, N backups, latency L, finalizer"
                + " delay R (see LimitModel for why; CPU time is not in it, so at 0 ms it is 2 x R).\n";
    }

    JsonObject json() {
        JsonObject env = new JsonObject();
        env.addProperty("started", started);
        env.addProperty("elapsedSeconds", elapsed.toSeconds());
        env.addProperty("quick", options.quick);
        env.addProperty("cores", cores());
        env.addProperty("jvm", jvm());
        env.addProperty("jvmArgs", String.join(" ", jvmArgs));
        ControllerDelays d = options.delays();
        env.addProperty("cascadeDelayMillis", d.cascadeDelay().toMillis());
        env.addProperty("remoteDeleteDelayMillis", d.remoteDeleteDelay().toMillis());
        env.addProperty("gcPaceMillis", d.gcPace().toMillis());
        env.addProperty("seed", Workload.SEED);
        env.addProperty("maxRuns", options.runs);
        env.addProperty("budget", budget.describe());
        env.addProperty("limitFormula", LimitModel.formula());
        return env;
    }
}
