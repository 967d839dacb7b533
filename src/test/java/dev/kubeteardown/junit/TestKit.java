package dev.kubeteardown.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kubeteardown.ResourceType;
import dev.kubeteardown.testing.MockCluster;
import io.kubernetes.client.openapi.ApiClient;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs the small {@code *TestCase} classes through EngineTestKit against the cluster of the calling test. The
 * cases are static nested classes, which Surefire does not run on their own (its default excludes skip
 * {@code *$*}); {@link TestKitOnly} disables them anyway unless EngineTestKit runs them, because they need
 * {@link #cluster}.
 */
final class TestKit {

    static final String ENABLED = "kubeteardown.testkit.enabled";
    static final String NS = "longhorn-system";
    static final ResourceType BACKUP_VOLUMES = ResourceType.namespaced("longhorn.io", "v1beta2", "backupvolumes");
    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final ResourceType CONFIG_MAPS = ResourceType.core("v1", "configmaps");

    /** The mock the running case cleans; set by the outer test for the duration of one test. */
    static volatile MockCluster cluster;

    private TestKit() {}

    /** The client of the current mock, for suppliers in the cases (read when the cleanup runs). */
    static ApiClient client() {
        return cluster.client();
    }

    /** Runs one case class with the given configuration parameters (key, value, key, value, ...). */
    static EngineExecutionResults run(Class<?> testCase, String... parameters) {
        EngineTestKit.Builder builder = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(testCase))
                .configurationParameter(ENABLED, "true");
        for (int i = 0; i < parameters.length; i += 2) {
            builder.configurationParameter(parameters[i], parameters[i + 1]);
        }
        return builder.execute();
    }

    /** Every report entry published under the extension's key, in order, with the name of what published it. */
    static List<String> reportEntries(EngineExecutionResults results) {
        return results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .map(m -> m.get(KubeTeardownExtension.REPORT_KEY))
                .filter(v -> v != null)
                .collect(Collectors.toList());
    }

    /** The entry published for the test or container with this display name (e.g. {@code passes()}). */
    static Map<String, String> entryOf(EngineExecutionResults results, String displayName) {
        return results.allEvents().reportingEntryPublished().stream()
                .filter(e -> named(e, displayName))
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("no report entry for " + displayName + " in " + reportEntries(results)));
    }

    /** The throwable a test with this display name failed with. */
    static Throwable failureOf(EngineExecutionResults results, String displayName) {
        return results.testEvents().failed().stream()
                .filter(e -> named(e, displayName))
                .findFirst()
                .flatMap(TestKit::throwable)
                .orElseThrow(() -> new AssertionError(displayName + " did not fail"));
    }

    /** The throwable a container with this display name failed with. */
    static Throwable containerFailureOf(EngineExecutionResults results, String displayName) {
        return results.containerEvents().failed().stream()
                .filter(e -> named(e, displayName))
                .findFirst()
                .flatMap(TestKit::throwable)
                .orElseThrow(() -> new AssertionError(displayName + " did not fail"));
    }

    /** A static nested class is displayed as {@code Outer$Inner}. */
    private static boolean named(Event event, String displayName) {
        String shown = event.getTestDescriptor().getDisplayName();
        return shown.equals(displayName) || shown.endsWith("$" + displayName);
    }

    private static Optional<Throwable> throwable(Event event) {
        return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable);
    }

    /** The DELETE requests sent, as paths without query, in order. */
    static List<String> deletes() {
        return cluster.recorded().stream()
                .filter(r -> r.method().equals("DELETE"))
                .map(r -> r.path().split("\\?")[0])
                .collect(Collectors.toList());
    }

    /** Disables a case unless EngineTestKit runs it with {@link #ENABLED}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @ExtendWith(OnlyInTestKit.class)
    @interface TestKitOnly {}

    /** The condition behind {@link TestKitOnly}. */
    static final class OnlyInTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLED).isPresent()
                    ? ConditionEvaluationResult.enabled("run by EngineTestKit")
                    : ConditionEvaluationResult.disabled("a test case for EngineTestKit, not run on its own");
        }
    }
}
