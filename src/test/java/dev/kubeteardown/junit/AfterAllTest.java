package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.CONFIG_MAPS;
import static dev.kubeteardown.junit.TestKit.deletes;
import static dev.kubeteardown.junit.TestKit.entryOf;
import static dev.kubeteardown.junit.TestKit.reportEntries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.StaleRunSweep;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Cleanup after all tests: once per class, with the class's client field, honouring ON_SUCCESS for the whole class. */
class AfterAllTest extends WithMockCluster {

    static final String SHARED = "shared";

    static Cleanup sharedConfigMaps(ApiClient client) {
        return Cleanup.builder(client, CONFIG_MAPS).namespace(SHARED).build();
    }

    @TestKitOnly
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class AfterAllTestCase {
        @TeardownClient
        static ApiClient client;

        @RegisterExtension
        static KubeTeardownExtension teardown =
                KubeTeardownExtension.forTeardownClient().afterAll(AfterAllTest::sharedConfigMaps);

        @BeforeAll
        static void connect() {
            client = TestKit.client();
        }

        @Test
        @Order(1)
        void first() {
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "from-first");
        }

        @Test
        @Order(2)
        void second() {
            assertTrue(TestKit.cluster.exists(CONFIG_MAPS, SHARED, "from-first"), "no cleanup between tests");
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "from-second");
        }
    }

    @TestKitOnly
    static class SweepBeforeAllTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .beforeAll(c -> StaleRunSweep.builder(c, CONFIG_MAPS)
                        .namespace(SHARED)
                        .olderThan(Duration.ofHours(1))
                        .build());

        @Test
        void leakedObjectsOfKilledRunsAreGoneBeforeTheFirstTest() {
            assertFalse(TestKit.cluster.exists(CONFIG_MAPS, SHARED, "leaked-by-killed-run"));
        }
    }

    @Test
    @DisplayName("a stale-run sweep as a before-all step removes what a killed run leaked, and nothing else")
    void sweepBeforeAll() {
        cluster.create(
                CONFIG_MAPS,
                SHARED,
                "leaked-by-killed-run",
                RunLabels.of("run-killed", Instant.now().minus(Duration.ofHours(5)))
                        .labels(),
                List.of());
        cluster.create(
                CONFIG_MAPS,
                SHARED,
                "other-live-run",
                RunLabels.of("run-live", Instant.now()).labels(),
                List.of());
        cluster.create(CONFIG_MAPS, SHARED, "unlabelled");
        EngineExecutionResults results = TestKit.run(SweepBeforeAllTestCase.class);
        results.testEvents().assertStatistics(s -> s.succeeded(1));
        assertTrue(cluster.exists(CONFIG_MAPS, SHARED, "other-live-run"));
        assertTrue(cluster.exists(CONFIG_MAPS, SHARED, "unlabelled"));
    }

    @Test
    @DisplayName("after-all steps run once, after the last test, with the client of a static @TeardownClient field")
    void afterAllRunsOnceAfterTheLastTest() {
        EngineExecutionResults results = TestKit.run(AfterAllTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(2));
        assertEquals(0, cluster.countObjects(CONFIG_MAPS, SHARED));
        assertEquals(2, deletes().size());
        assertEquals(1, reportEntries(results).size(), reportEntries(results).toString());
        String entry = entryOf(results, "AfterAllTestCase").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.startsWith("afterAll: 1 step, 2 objects, DELETED=2 in "), entry);
        assertTrue(entry.contains("clean for class AfterAllTestCase"), entry);
    }

    @TestKitOnly
    static class OnSuccessAfterAllTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .mode(CleanupMode.ON_SUCCESS)
                .afterAll(AfterAllTest::sharedConfigMaps);

        @Test
        void passes() {
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "from-passes");
        }

        @Test
        void fails() {
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "from-fails");
            fail("the test's own failure");
        }
    }

    @Test
    @DisplayName("ON_SUCCESS after all tests: one failed test keeps the class's objects, and the skip says why")
    void onSuccessAfterAllKeepsObjectsWhenATestFailed() {
        EngineExecutionResults results = TestKit.run(OnSuccessAfterAllTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        assertEquals(2, cluster.countObjects(CONFIG_MAPS, SHARED));
        assertEquals(List.of(), deletes());
        String entry = entryOf(results, "OnSuccessAfterAllTestCase").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                entry.startsWith("Skipping cleanup of a step factory for class"
                        + " OnSuccessAfterAllTestCase due to CleanupMode.ON_SUCCESS: a test or the class failed"),
                entry);
    }

    @TestKitOnly
    static class OnSuccessAfterAllPassingTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .mode(CleanupMode.ON_SUCCESS)
                .afterAll(AfterAllTest::sharedConfigMaps);

        @Test
        void passes() {
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "from-passes");
        }

        @Test
        void abortedByAnAssumption() {
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "from-aborted");
            Assumptions.assumeTrue(false, "not on this cluster");
        }
    }

    @Test
    @DisplayName("ON_SUCCESS after all tests: passing and aborted tests do not count as failures, the class is cleaned")
    void onSuccessAfterAllCleansWhenNothingFailed() {
        EngineExecutionResults results = TestKit.run(OnSuccessAfterAllPassingTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1).aborted(1));
        assertEquals(0, cluster.countObjects(CONFIG_MAPS, SHARED));
    }

    @TestKitOnly
    static class NestedTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach((c, scope) -> Cleanup.builder(c, CONFIG_MAPS)
                        .namespace(SHARED)
                        .labelSelector(scope.selector())
                        .build())
                .afterAll(AfterAllTest::sharedConfigMaps);

        @Test
        void outer(TeardownScope scope) {
            TestKit.cluster.create(CONFIG_MAPS, SHARED, "outer", scope.labels(), List.of());
        }

        @Nested
        class Inner {
            @Test
            void inner(TeardownScope scope) {
                TestKit.cluster.create(CONFIG_MAPS, SHARED, "inner", scope.labels(), List.of());
                TestKit.cluster.create(CONFIG_MAPS, SHARED, "class-wide");
            }
        }
    }

    @Test
    @DisplayName("@Nested: after-each steps run after nested tests too; after-all steps run once, for the outer class")
    void nestedClassesRunAfterAllOnce() {
        EngineExecutionResults results = TestKit.run(NestedTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(2));
        List<String> entries = reportEntries(results);
        assertEquals(3, entries.size(), entries.toString());
        assertEquals(1, entries.stream().filter(e -> e.startsWith("afterAll")).count(), entries.toString());
        assertTrue(entryOf(results, "inner(TeardownScope)")
                .get(KubeTeardownExtension.REPORT_KEY)
                .startsWith("afterEach: 1 step, 1 object, DELETED=1"));
        assertTrue(
                entryOf(results, "NestedTestCase")
                        .get(KubeTeardownExtension.REPORT_KEY)
                        .startsWith("afterAll: 1 step, 1 object, DELETED=1"),
                "only class-wide is left for after all");
        List<String> deleted =
                deletes().stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).collect(Collectors.toList());
        assertEquals(Set.of("outer", "inner", "class-wide"), Set.copyOf(deleted));
        assertEquals("class-wide", deleted.get(2), "after all comes last: " + deleted);
        assertFalse(cluster.exists(CONFIG_MAPS, SHARED, "class-wide"));
    }

    @TestKitOnly
    static class InstanceFieldForAfterAllTestCase {
        @TeardownClient
        ApiClient client = TestKit.client();

        @RegisterExtension
        static KubeTeardownExtension teardown =
                KubeTeardownExtension.forTeardownClient().afterAll(AfterAllTest::sharedConfigMaps);

        @Test
        void passes() {}
    }

    @Test
    @DisplayName("after all tests, an instance client field cannot be read: a configuration error that says what to do")
    void instanceFieldAfterAllIsAConfigurationError() {
        EngineExecutionResults results = TestKit.run(InstanceFieldForAfterAllTestCase.class);

        Throwable thrown = TestKit.containerFailureOf(results, "InstanceFieldForAfterAllTestCase");
        assertTrue(thrown instanceof ExtensionConfigurationException, thrown.toString());
        assertTrue(
                thrown.getMessage()
                        .contains("is an instance field, but there is no test instance when cleaning up"
                                + " after all tests: make it static or use @TestInstance(PER_CLASS)"),
                thrown.getMessage());
    }
}
