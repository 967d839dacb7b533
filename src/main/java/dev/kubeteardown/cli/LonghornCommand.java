package dev.kubeteardown.cli;

import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.MissingPolicy;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.LonghornCleanupBuilder;
import dev.kubeteardown.longhorn.LonghornPlans;
import io.kubernetes.client.openapi.ApiClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Longhorn teardown against a real cluster, e.g. after an interrupted suite left backup volumes or failed
 * backups behind. Without {@code --yes} it is a dry run: it lists what it would delete and deletes nothing.
 */
@Command(
        name = "longhorn",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Delete Longhorn backup volumes, then backups, in a real cluster (as Longhorn's suite tears down).",
            "With --plan full or --plan backups, run one of Longhorn's whole teardown plans instead.",
            "Without --yes this is a dry run: nothing is deleted. Exit 0 clean, 1 not clean, 2 usage/configuration error."
        })
final class LonghornCommand implements Callable<Integer> {

    static final String DEFAULT_NAMESPACE = "longhorn-system";

    @Spec
    CommandSpec spec;

    @Mixin
    KubeconfigOptions kubeconfig;

    @Option(
            names = {"-n", "--namespace"},
            description = "Longhorn's namespace (default: " + DEFAULT_NAMESPACE + ").")
    String namespace;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "Every namespace, as kubectl (Longhorn installed elsewhere, or more than once).")
    boolean allNamespaces;

    @Mixin
    SelectorOptions selectors;

    @Option(
            names = "--api-version",
            defaultValue = "v1beta2",
            description = "Longhorn API version (default: ${DEFAULT-VALUE}).")
    String apiVersion;

    @Mixin
    DeleteOptions delete;

    @Option(
            names = "--delete-custom-resource-only",
            description =
                    "Label objects longhorn.io/delete-custom-resource-only=true first: Longhorn keeps the backupstore data.")
    boolean customResourceOnly;

    @Option(
            names = "--require-crds",
            description = "Fail (exit 2) when a Longhorn CRD is not installed, instead of skipping it.")
    boolean requireCrds;

    @Option(
            names = "--plan",
            paramLabel = "full|backups",
            description = {
                "Run a whole Longhorn plan: full (volumes, snapshots, then recurring jobs, backing images, support",
                "bundles, system restores and orphans at once, then the backups plan) or backups (backup volumes as a",
                "barrier, then system backups, backups, backup backing images). Types not served are SKIPPED."
            })
    Plan plan;

    @Option(
            names = "--timeout",
            defaultValue = "5m",
            converter = DurationConverter.class,
            description =
                    "Deadline of each step, waits included; with --plan, of the whole plan (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--parallelism",
            description = "Concurrent deletes, fixed (default: adaptive, starting at 8, between 1 and 256).")
    Integer parallelism;

    @Option(names = "--all", description = "List every object in the text output, not only examples.")
    boolean all;

    @Mixin
    OutputOption output;

    /** The values of {@code --plan}: {@link LonghornPlans}' plans. */
    enum Plan {
        /** {@link LonghornPlans#full}. */
        full,
        /** {@link LonghornPlans#backups}. */
        backups
    }

    @Override
    public Integer call() {
        // every flag before the kubeconfig is read: a bad value names its flag, whatever the cluster
        Flags.of(spec)
                .namespace("--namespace", namespace)
                .require(!(allNamespaces && namespace != null), "--namespace and --all-namespaces cannot be combined")
                .parallelism(parallelism)
                .positive("--timeout", timeout);
        if (plan != null) {
            return runPlan();
        }
        PrintWriter out = spec.commandLine().getOut();
        // before the kubeconfig: a contradictory flag is reported as such, whatever the cluster
        String banner = DryRunMode.banner(delete.dryRun());
        ApiClient client = kubeconfig.client();
        if (output.isText() && banner != null) {
            out.println(banner);
        }
        List<CleanupReport> reports;
        boolean interrupted = false;
        try {
            reports = new LonghornTeardown(client, this::configure)
                    .run(output.isText() ? label -> ProgressDisplay.start(out, label) : label -> StepProgress.NONE);
        } catch (CleanupConfigurationException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return Main.USAGE;
        } catch (InterruptedRun e) {
            reports = e.reports();
            interrupted = true;
        }
        ReportPrinter printer = new ReportPrinter(out);
        if (output.isText()) {
            printer.text(reports, all);
            if (delete.dryRun() != DryRun.OFF) {
                printer.byType(reports, Outcome.Status.WOULD_DELETE, "Would delete, by type:");
            }
            out.println();
            reports.forEach(r -> out.println(r.summary()));
        } else if (output.isName()) {
            printer.names(
                    reports,
                    ReportPrinter.kubectlKinds(ApiDiscovery.of(client)),
                    spec.commandLine().getErr());
        } else {
            printer.json(reports, null);
        }
        return interrupted ? Main.interrupted(spec.commandLine().getErr()) : Main.exitCode(reports);
    }

    /** {@code --plan}: the plan with this command's options; the two step-only flags are refused, not ignored. */
    private int runPlan() {
        List<String> stepOnly = new ArrayList<>();
        if (customResourceOnly) {
            stepOnly.add("--delete-custom-resource-only");
        }
        if (requireCrds) {
            stepOnly.add("--require-crds");
        }
        if (selectors.fields != null) {
            stepOnly.add("--field-selector");
        }
        if (!stepOnly.isEmpty()) {
            throw new IllegalArgumentException(String.join(" and ", stepOnly) + " cannot be combined with --plan");
        }
        DryRun mode = delete.dryRun();
        ApiClient client = kubeconfig.client();
        LonghornPlans.Builder builder = plan == Plan.full ? LonghornPlans.full(client) : LonghornPlans.backups(client);
        if (allNamespaces) {
            builder.allNamespaces();
        } else {
            builder.namespace(namespace == null ? DEFAULT_NAMESPACE : namespace);
        }
        builder.apiVersion(apiVersion).timeout(timeout).dryRun(mode);
        if (parallelism != null) {
            builder.parallelism(parallelism);
        }
        if (selectors.labels != null) {
            builder.labelSelector(selectors.labels);
        }
        return PlanCommand.run(builder.build(), mode, output, all, spec.commandLine(), client);
    }

    private <B extends LonghornCleanupBuilder<B>> B configure(B builder) {
        if (allNamespaces) {
            builder.allNamespaces();
        } else {
            builder.namespace(namespace == null ? DEFAULT_NAMESPACE : namespace);
        }
        if (parallelism != null) {
            builder.parallelism(parallelism);
        }
        builder.apiVersion(apiVersion)
                .timeout(timeout)
                .dryRun(delete.dryRun())
                .deleteCustomResourceOnly(customResourceOnly)
                .ifResourceMissing(requireCrds ? MissingPolicy.FAIL : MissingPolicy.SKIP);
        if (selectors.labels != null) {
            builder.labelSelector(selectors.labels);
        }
        if (selectors.fields != null) {
            builder.fieldSelector(selectors.fields);
        }
        return builder;
    }
}
