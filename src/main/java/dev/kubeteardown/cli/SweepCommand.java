package dev.kubeteardown.cli;

import dev.kubeteardown.AllTypesSweep;
import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.KubeTeardownException;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.ServedType;
import dev.kubeteardown.StaleRunSweep;
import dev.kubeteardown.SweepBuilder;
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

/**
 * Removes what killed test runs leaked: objects labelled {@code kube-teardown.dev/run} of stale runs, in every served
 * type (owned objects left to the garbage collector) or in the types named with {@code --resource}.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Delete objects stamped with " + RunLabels.RUN_LABEL
                    + " by test runs that are finished or older than --older-than.",
            "Without --resource every served type that can be listed and deleted is swept (events excepted;"
                    + " namespaces last, cluster-scoped types only without --namespace), and an object owned by"
                    + " another swept object is left to the garbage collector.",
            "Objects without that label are never touched. Without --yes this is a dry run, which lists the"
                    + " objects by type."
        })
final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KubeconfigOptions kubeconfig;

    @Option(
            names = "--resource",
            split = ",",
            paramLabel = "TYPE",
            description = "Only these types, as kubectl names them (backups.longhorn.io, lhb, configmaps, cm) or as"
                    + " plural.group/version (backups.longhorn.io/v1beta2, configmaps/v1); repeatable."
                    + " Default: every served type.")
    List<String> resources = List.of();

    @Option(
            names = {"-n", "--namespace"},
            description = "Only this namespace (default: all namespaces).")
    String namespace;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "Every namespace, as kubectl; the default, said explicitly (not with --namespace).")
    boolean allNamespaces;

    @Mixin
    SelectorOptions selectors;

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
        // every flag before the kubeconfig is read: a bad value names its flag, whatever the cluster
        Flags.of(spec)
                .namespace("--namespace", namespace)
                .require(!(allNamespaces && namespace != null), "--namespace and --all-namespaces cannot be combined")
                .require(
                        olderThan != null || !finishedRuns.isEmpty(),
                        "sweep needs --older-than or --finished-run: with neither, no run is stale");
        PrintWriter out = spec.commandLine().getOut();
        DryRun mode = delete.dryRun();
        var client = kubeconfig.client();
        List<CleanupReport> reports = new ArrayList<>();
        boolean interrupted = false;
        try {
            if (resources.isEmpty()) {
                AllTypesSweep.Builder builder =
                        StaleRunSweep.allTypes(client).dryRun(mode).finishedRuns(finishedRuns);
                if (olderThan != null) {
                    builder.olderThan(olderThan);
                }
                if (namespace != null) {
                    builder.namespace(namespace);
                }
                narrow(builder);
                reports.addAll(builder.build().execute().steps());
            } else {
                ApiDiscovery discovery = ApiDiscovery.of(client);
                List<ResourceType> types = new ArrayList<>();
                try {
                    for (String resource : resources) {
                        types.add(resolve(discovery, resource));
                    }
                } catch (CleanupFailedException e) {
                    throw e;
                } catch (KubeTeardownException e) { // discovery failed: the run cannot start
                    spec.commandLine().getErr().println("error: " + e.getMessage());
                    return Main.USAGE;
                }
                for (ResourceType type : types) {
                    StaleRunSweep.Builder builder =
                            StaleRunSweep.builder(client, type).dryRun(mode).finishedRuns(finishedRuns);
                    if (olderThan != null) {
                        builder.olderThan(olderThan);
                    }
                    if (namespace == null) {
                        builder.allNamespaces();
                    } else {
                        builder.namespace(namespace);
                    }
                    narrow(builder);
                    reports.addAll(builder.build().sweep());
                }
            }
        } catch (CleanupConfigurationException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return Main.USAGE;
        } catch (CleanupInterruptedException e) {
            reports = InterruptedRun.of(reports, e).reports();
            interrupted = true;
        }
        if (output.isName()) {
            new ReportPrinter(out)
                    .names(
                            reports,
                            ReportPrinter.kubectlKinds(ApiDiscovery.of(client)),
                            spec.commandLine().getErr());
        } else if (!output.isText()) {
            new ReportPrinter(out).json(reports, null);
        } else if (reports.isEmpty()) {
            out.println("No stale runs found.");
        } else {
            reports.forEach(r -> out.println(r.summary()));
            ReportPrinter printer = new ReportPrinter(out);
            if (mode != DryRun.OFF) {
                printer.byType(reports, Outcome.Status.WOULD_DELETE, "Would delete, by type:");
            }
            printer.details(reports, Outcome.Status.SKIPPED, "Not deleted:");
        }
        return interrupted ? Main.interrupted(spec.commandLine().getErr()) : Main.exitCode(reports);
    }

    /** {@code -l} and {@code --field-selector}: only the stale runs' objects that also match them. */
    private void narrow(SweepBuilder<?> builder) {
        if (selectors.labels != null) {
            builder.labelSelector(selectors.labels);
        }
        if (selectors.fields != null) {
            builder.fieldSelector(selectors.fields);
        }
    }

    /**
     * A type as kubectl names it, resolved through discovery; the older {@code plural.group/version} form
     * ({@code plural/version} for the core group) as {@code plural.version.group}, its version checked.
     *
     * @throws IllegalArgumentException when the server serves no such type (naming close matches)
     */
    static ResourceType resolve(ApiDiscovery discovery, String value) {
        int slash = value.lastIndexOf('/');
        if (slash < 0) {
            return discovery.resolve(value).toResourceType();
        }
        String name = value.substring(0, slash);
        String version = value.substring(slash + 1);
        if (name.isEmpty() || version.isEmpty()) {
            throw new IllegalArgumentException("--resource must look like backups.longhorn.io, cm or"
                    + " backups.longhorn.io/v1beta2, was \"" + value + "\"");
        }
        int dot = name.indexOf('.');
        ServedType type = discovery.resolve(
                dot < 0 ? name : name.substring(0, dot) + "." + version + "." + name.substring(dot + 1));
        if (!type.version().equals(version)) {
            throw new IllegalArgumentException("--resource " + value + ": the server serves " + type.qualifiedName()
                    + " at " + type.version() + ", not " + version);
        }
        return type.toResourceType();
    }
}
