package dev.kubeteardown.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.PlanFile;
import dev.kubeteardown.PlanFileException;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import dev.kubeteardown.sim.LonghornSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** A plan file as the extension's after-each step: {@code afterEach(PlanFile.readResource(...)::toPlan)}. */
class PlanFileExtensionTest {

    static final String NS = "longhorn-system";

    /** The simulator the running case cleans; set by the outer test for the duration of one test. */
    static volatile LonghornSimulator sim;

    static void createBackup(String name, Map<String, String> labels) {
        sim.fabricClient()
                .genericKubernetesResources("longhorn.io/v1beta2", "Backup")
                .inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("longhorn.io/v1beta2")
                        .withKind("Backup")
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(NS)
                        .withLabels(labels)
                        .endMetadata()
                        .build())
                .create();
    }

    static List<String> backups() {
        return sim
                .fabricClient()
                .genericKubernetesResources("longhorn.io/v1beta2", "Backup")
                .inNamespace(NS)
                .list()
                .getItems()
                .stream()
                .map(o -> o.getMetadata().getName())
                .sorted()
                .toList();
    }

    @TestKitOnly
    static class PlanFileAfterEachTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> sim.apiClient())
                .afterEach(PlanFile.readResource("/dev/kubeteardown/junit/after-each-plan.yaml")::toPlan);

        @Test
        void createsBackups() {
            createBackup("mine", Map.of("created-by", "plan-file-test"));
            createBackup("not-mine", Map.of());
        }
    }

    @TestKitOnly
    static class BadPlanFileTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> sim.apiClient())
                .afterEach(PlanFile.readResource("/dev/kubeteardown/junit/bad-plan.yaml")::toPlan);

        @Test
        void neverRuns() {
            createBackup("created-by-a-test-that-should-not-run", Map.of());
        }
    }

    @Test
    @DisplayName("afterEach(planFile::toPlan): the plan runs after each test, in its scope only, and is reported")
    void planFileRunsAfterEachTest() {
        try (LonghornSimulator started = LonghornSimulator.builder().start()) {
            sim = started;
            EngineExecutionResults results = TestKit.run(PlanFileAfterEachTestCase.class);
            results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
            assertEquals(List.of("not-mine"), backups());
            Map<String, String> entry = TestKit.entryOf(results, "createsBackups()");
            assertTrue(
                    entry.get(KubeTeardownExtension.REPORT_KEY + ".steps")
                            .startsWith("1. after each test in 2 steps: 1 object, DELETED=1"),
                    entry.toString());
        } finally {
            sim = null;
        }
    }

    @Test
    @DisplayName("a bad plan file fails the class when the extension is created, naming file and line; no test runs")
    void badPlanFileFailsTheClass() {
        try (LonghornSimulator started = LonghornSimulator.builder().start()) {
            sim = started;
            EngineExecutionResults results = TestKit.run(BadPlanFileTestCase.class);
            Throwable failure = TestKit.containerFailureOf(results, "BadPlanFileTestCase");
            while (!(failure instanceof PlanFileException) && failure.getCause() != null) {
                failure = failure.getCause();
            }
            PlanFileException e = assertInstanceOf(PlanFileException.class, failure);
            assertEquals(
                    "/dev/kubeteardown/junit/bad-plan.yaml:3: steps[0].timeout: invalid duration \"forever\" (use e.g."
                            + " 90s, 5m, 1h30m, 1.5s)",
                    e.problems().get(0).toString());
            assertEquals(List.of(), backups(), "no test ran");
        } finally {
            sim = null;
        }
    }
}
