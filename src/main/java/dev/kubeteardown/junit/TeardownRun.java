package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Runs the steps of one phase in the declared order, each one even when an earlier one failed or threw, and
 * collects what each did. The only early stop is an interrupt: the remaining steps are reported as not run.
 * Lives for one run only.
 */
final class TeardownRun {

    private final Phase phase;
    private final List<DeclaredStep> steps;
    private final Supplier<ApiClient> client;
    private final TeardownScope scope;

    /**
     * @param client resolves the client; called at most once, and only when a step needs it. It may throw
     *               {@link ExtensionConfigurationException} (a mistake in the test code: propagated) or any other
     *               exception (the client is unavailable: each step needing it fails, the others run)
     */
    TeardownRun(Phase phase, List<DeclaredStep> steps, Supplier<ApiClient> client, TeardownScope scope) {
        this.phase = phase;
        this.steps = List.copyOf(steps);
        this.client = client;
        this.scope = scope;
    }

    TeardownResult execute() {
        long start = System.nanoTime();
        ApiClient apiClient = null;
        RuntimeException clientFailure = null;
        if (steps.stream().anyMatch(DeclaredStep::needsClient)) {
            try {
                apiClient = client.get();
            } catch (ExtensionConfigurationException e) {
                throw e;
            } catch (RuntimeException e) {
                clientFailure = e;
            }
        }
        List<TeardownResult.StepResult> results = new ArrayList<>();
        boolean interrupted = false;
        for (int i = 0; i < steps.size(); i++) {
            DeclaredStep declared = steps.get(i);
            int number = i + 1;
            if (interrupted) {
                results.add(new TeardownResult.StepResult(
                        number,
                        declared.describe(),
                        null,
                        new InterruptedException("not run: an earlier step was interrupted")));
                continue;
            }
            if (declared.needsClient() && clientFailure != null) {
                results.add(new TeardownResult.StepResult(number, declared.describe(), null, clientFailure));
                continue;
            }
            String description = declared.describe();
            try {
                CleanupStep step = declared.create(apiClient, scope);
                description = step.description();
                CleanupReport report = DeclaredStep.execute(step, "step " + number + " (" + description + ")");
                results.add(new TeardownResult.StepResult(number, description, report, null));
            } catch (CleanupInterruptedException e) {
                results.add(new TeardownResult.StepResult(number, description, e.report(), e));
                interrupted = true;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // a custom step may throw anything, even an AssertionError: the next still runs
                results.add(new TeardownResult.StepResult(number, description, null, e));
            }
        }
        return new TeardownResult(phase, results, Duration.ofNanos(System.nanoTime() - start));
    }
}
