package dev.kubeteardown.sim;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Run in a child JVM by {@link ReadmeExampleTest} (which sets {@code KUBECONFIG} for it): runs one test class
 * through the JUnit Platform and exits 0 only when at least one test ran and none failed.
 */
public final class ReadmeExampleLauncher {

    private ReadmeExampleLauncher() {}

    public static void main(String[] args) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(args[0]))
                                .build(),
                        listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 40);
        out.flush();
        boolean passed = summary.getTestsSucceededCount() > 0
                && summary.getTotalFailureCount() == 0
                && summary.getTestsSkippedCount() == 0
                && summary.getTestsAbortedCount() == 0;
        System.exit(passed ? 0 : 1);
    }
}
