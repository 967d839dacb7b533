package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.CONFIG_MAPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Parallel execution: tests sharing one extension and one namespace each clean only what they labelled. */
class ParallelTest extends WithMockCluster {

    static final String SHARED = "parallel";
    static final int TESTS = 4;

    @TestKitOnly
    static class ParallelTestCase {
        /** Every test has created its objects before any test ends: proves they run at the same time. */
        static final CyclicBarrier ALL_CREATED = new CyclicBarrier(TESTS);

        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach((client, scope) -> Cleanup.builder(client, CONFIG_MAPS)
                        .namespace(SHARED)
                        .labelSelector(scope.selector())
                        .build());

        static void createThreeAndWait(String test, TeardownScope scope) throws Exception {
            for (int i = 0; i < 3; i++) {
                TestKit.cluster.create(CONFIG_MAPS, SHARED, test + "-" + i, scope.labels(), List.of());
            }
            ALL_CREATED.await(10, TimeUnit.SECONDS);
        }

        @Test
        void a(TeardownScope scope) throws Exception {
            createThreeAndWait("a", scope);
        }

        @Test
        void b(TeardownScope scope) throws Exception {
            createThreeAndWait("b", scope);
        }

        @Test
        void c(TeardownScope scope) throws Exception {
            createThreeAndWait("c", scope);
        }

        @Test
        void d(TeardownScope scope) throws Exception {
            createThreeAndWait("d", scope);
        }
    }

    @Test
    @DisplayName("in parallel, each test's objects are cleaned by its own per-test label and others are untouched")
    void parallelTestsCleanOnlyTheirOwnObjects() {
        cluster.create(CONFIG_MAPS, SHARED, "bystander");
        EngineExecutionResults results = TestKit.run(
                ParallelTestCase.class,
                "junit.jupiter.execution.parallel.enabled",
                "true",
                "junit.jupiter.execution.parallel.mode.default",
                "concurrent",
                "junit.jupiter.execution.parallel.config.strategy",
                "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism",
                String.valueOf(TESTS));

        results.testEvents().assertStatistics(s -> s.started(TESTS).succeeded(TESTS));
        assertEquals(
                List.of("bystander"),
                cluster.list(CONFIG_MAPS, SHARED).stream()
                        .map(o -> o.getAsJsonObject("metadata").get("name").getAsString())
                        .collect(Collectors.toList()));
        List<String> entries = TestKit.reportEntries(results);
        assertEquals(TESTS, entries.size(), entries.toString());
        entries.forEach(e -> assertTrue(e.startsWith("afterEach: 1 step, 3 objects, DELETED=3 in "), e));
        Pattern label = Pattern.compile("labels " + Pattern.quote(TeardownScope.TEST_LABEL) + "=(\\S+):");
        Set<String> labels = results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class)
                        .orElseThrow()
                        .getKeyValuePairs()
                        .get(KubeTeardownExtension.REPORT_KEY + ".steps"))
                .map(label::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .collect(Collectors.toSet());
        assertEquals(TESTS, labels.size(), "one label per test: " + labels);
    }
}
