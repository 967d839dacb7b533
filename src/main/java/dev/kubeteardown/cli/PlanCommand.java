package dev.kubeteardown.cli;

import com.google.gson.JsonObject;
import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupPlan;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.KubeTeardownException;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.PlanFile;
import dev.kubeteardown.PlanFileException;
import io.kubernetes.client.openapi.ApiClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs a plan file ({@link PlanFile}) against a real cluster. The file is checked before the cluster is contacted,
 * and its types resolved before anything is deleted: a bad file is exit {@value Main#USAGE} with every problem on
 * stderr as {@code file:line: field: message}. Without {@code --yes} it is a dry run.
 */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a teardown plan file (YAML: steps, parallel groups, barriers, scopes, timeouts) in a real cluster.",
            "Without --yes this is a dry run: nothing is deleted. Exit 0 clean, 1 not clean, 2 usage/configuration"
                    + " error (a bad plan file: every problem with its line, and nothing sent)."
        })
final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-f", "--file"},
            required = true,
            paramLabel = "FILE",
            description = "The plan file, e.g. teardown.yaml.")
    Path file;

    @Mixin
    KubeconfigOptions kubeconfig;

    @Mixin
    DeleteOptions delete;

    @Option(names = "--all", description = "List every object in the text output, not only examples.")
    boolean all;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        DryRun mode = delete.dryRun();
        CleanupPlan plan;
        ApiClient client;
        try {
            PlanFile planFile = PlanFile.read(file).dryRun(mode); // before the kubeconfig: nothing is sent
            client = kubeconfig.client();
            plan = planFile.toPlan(client);
        } catch (PlanFileException e) {
            err.println("error: " + e.getMessage());
            return Main.USAGE;
        } catch (KubeTeardownException e) { // discovery could not be read: the run cannot start
            err.println("error: " + e.getMessage());
            return Main.USAGE;
        }
        return run(plan, mode, output, all, spec.commandLine(), client);
    }

    /**
     * Runs a plan and prints its report: the dry-run banner, the per-step table and the plan's summary, or JSON
     * ({@code {"plan": name, "clean": ..., "steps": [...]}}). Returns the exit code. Shared with
     * {@code longhorn --plan}. An interrupted plan prints its partial report, then exits {@value Main#NOT_CLEAN}.
     */
    static int run(
            CleanupPlan plan,
            DryRun mode,
            OutputOption output,
            boolean all,
            CommandLine commandLine,
            ApiClient client) {
        PrintWriter out = commandLine.getOut();
        String banner = DryRunMode.banner(mode);
        if (output.isText() && banner != null) {
            out.println(banner);
        }
        CleanupReport report;
        boolean interrupted = false;
        try {
            report = plan.execute();
        } catch (CleanupInterruptedException e) {
            Thread.interrupted(); // acted on: the plan stopped; printing its report must not be cut short
            report = e.report();
            interrupted = true;
        }
        ReportPrinter printer = new ReportPrinter(out);
        if (output.isText()) {
            printer.text(report.steps(), all);
            if (mode != DryRun.OFF) {
                printer.byType(report.steps(), Outcome.Status.WOULD_DELETE, "Would delete, by type:");
            }
            out.println();
            out.println(report.summary());
            out.flush();
        } else if (output.isName()) {
            printer.names(report.steps(), ReportPrinter.kubectlKinds(ApiDiscovery.of(client)), commandLine.getErr());
        } else {
            JsonObject head = new JsonObject();
            head.addProperty("plan", plan.description());
            printer.json(report.steps(), head);
        }
        return interrupted ? Main.interrupted(commandLine.getErr()) : Main.exitCode(List.of(report));
    }
}
