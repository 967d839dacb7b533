package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.StaleRunSweep;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Removes what killed test runs leaked: objects labelled {@code kube-teardown.dev/run} of stale runs. */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Delete objects stamped with " + RunLabels.RUN_LABEL
                    + " by test runs that are finished or older than --older-than.",
            "Objects without that label are never touched. Without --yes this is a dry run."
        })
final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KubeconfigOptions kubeconfig;

    @Option(
            names = "--resource",
            required = true,
            split = ",",
            paramLabel = "PLURAL.GROUP/VERSION",
            description = "Resource types to sweep, e.g. backups.longhorn.io/v1beta2 or configmaps/v1 (repeatable).")
    List<String> resources;

    @Option(
            names = {"-n", "--namespace"},
            description = "Only this namespace (default: all namespaces).")
    String namespace;

    @Option(
            names = "--older-than",
            converter = DurationConverter.class,
            description = "Runs that started longer ago are stale, e.g. 2h.")
    Duration olderThan;

    @Option(names = "--finished-run", paramLabel = "RUN_ID", description = "A run known to be finished (repeatable).")
    Set<String> finishedRuns = Set.of();

    @Mixin
    DeleteOptions delete;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DryRun mode = delete.dryRun();
        var client = kubeconfig.client();
        List<CleanupReport> reports = new ArrayList<>();
        try {
            for (String resource : resources) {
                StaleRunSweep.Builder builder = StaleRunSweep.builder(client, parse(resource))
                        .dryRun(mode)
                        .finishedRuns(finishedRuns);
                if (olderThan != null) {
                    builder.olderThan(olderThan);
                }
                if (namespace == null) {
                    builder.allNamespaces();
                } else {
                    builder.namespace(namespace);
                }
                reports.addAll(builder.build().sweep());
            }
        } catch (CleanupConfigurationException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return Main.USAGE;
        }
        if (!output.isText()) {
            new ReportPrinter(out).json(reports, null);
        } else if (reports.isEmpty()) {
            out.println("No stale runs found.");
        } else {
            reports.forEach(r -> out.println(r.summary()));
        }
        return Main.exitCode(reports);
    }

    /** {@code plural.group/version}, or {@code plural/version} for the core group; namespaced. */
    static ResourceType parse(String value) {
        int slash = value.lastIndexOf('/');
        if (slash <= 0 || slash == value.length() - 1) {
            throw new IllegalArgumentException(
                    "--resource must look like backups.longhorn.io/v1beta2 or configmaps/v1, was \"" + value + "\"");
        }
        String qualified = value.substring(0, slash);
        String version = value.substring(slash + 1);
        int dot = qualified.indexOf('.');
        return dot < 0
                ? ResourceType.core(version, qualified)
                : ResourceType.namespaced(qualified.substring(dot + 1), version, qualified.substring(0, dot));
    }
}
