package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.CONFIG_MAPS;
import static dev.kubeteardown.junit.TestKit.entryOf;
import static dev.kubeteardown.junit.TestKit.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A namespace per test or per class, against the simulator: created before, handed over by {@link TeardownScope},
 * deleted and awaited after, kept for a failed test under {@code ON_SUCCESS}.
 */
class NamespaceLifecycleTest {

    static volatile LonghornSimulator sim;

    /** What the cases saw, as "where: namespace". */
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startSimulator() {
        sim = LonghornSimulator.builder().start();
    }

    @AfterAll
    static void stopSimulator() {
        sim.close();
        sim = null;
    }

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    /**
     * Runs a case with a run id of its own: the names derive from the run id and JUnit's unique id, so a second run
     * of one case in this JVM would otherwise meet the namespaces a first run kept.
     */
    static EngineExecutionResults run(Class<?> testCase, String... parameters) {
        List<String> all = new ArrayList<>(List.of(parameters));
        all.addAll(List.of(KubeTeardownExtension.RUN_ID_PROPERTY, "ns-test-" + RUNS.incrementAndGet()));
        return TestKit.run(testCase, all.toArray(String[]::new));
    }

    static ApiClient client() {
        return sim.apiClient();
    }

    static Namespace namespace(String name) {
        return sim.fabricClient().namespaces().withName(name).get();
    }

    static boolean exists(String name) {
        return namespace(name) != null;
    }

    /** The namespaces the cases saw at {@code where}, in order. */
    static List<String> seen(String where) {
        return SEEN.stream()
                .filter(s -> s.startsWith(where + ": "))
                .map(s -> s.substring(where.length() + 2))
                .toList();
    }

    /** Records the namespace and checks, from inside the test, that it exists and carries the run label. */
    static void record(String where, TeardownScope scope) {
        String name = scope.namespace();
        Namespace ns = namespace(name);
        assertTrue(ns != null, "namespace " + name + " exists during " + where);
        assertEquals(scope.runId(), ns.getMetadata().getLabels().get(TeardownScope.RUN_LABEL));
        SEEN.add(where + ": " + name);
    }

    /** {@link #record}, and the namespace is the test's own: it carries every label of the test's scope. */
    static void recordOwn(String where, TeardownScope scope) {
        record(where, scope);
        Map<String, String> labels = namespace(scope.namespace()).getMetadata().getLabels();
        assertTrue(labels.entrySet().containsAll(scope.labels().entrySet()), labels + " has " + scope.labels());
    }

    /** An after-each step that notes whether the namespace still exists when it runs, then cleans its config maps. */
    static CleanupStep configMapsIn(ApiClient client, TeardownScope scope) {
        Cleanup cleanup = Cleanup.builder(client, CONFIG_MAPS)
                .namespace(scope.namespace())
                .build();
        return new CleanupStep() {
            @Override
            public CleanupReport execute() {
                SEEN.add("step, namespace exists=" + exists(scope.namespace()) + ": " + scope.namespace());
                return cleanup.execute();
            }

            @Override
            public String description() {
                return cleanup.description();
            }
        };
    }

    // ---- per test

    @TestKitOnly
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class PerTestTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(NamespaceLifecycleTest::client)
                .afterEach(NamespaceLifecycleTest::configMapsIn)
                .namespacePerTest("it");

        @BeforeEach
        void beforeEach(TeardownScope scope) {
            recordOwn("beforeEach", scope);
        }

        @Test
        void first(TeardownScope scope) {
            recordOwn("test", scope);
            sim.fabricClient()
                    .configMaps()
                    .inNamespace(scope.namespace())
                    .resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("made-by-first")
                            .endMetadata()
                            .build())
                    .create();
        }

        @Test
        void second(TeardownScope scope) {
            recordOwn("test", scope);
        }
    }

    @Test
    @DisplayName(
            "namespacePerTest: each test gets its own labelled namespace, deleted after the other after-each steps")
    void namespacePerTest() {
        EngineExecutionResults results = run(PerTestTestCase.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        List<String> tests = seen("test");
        assertEquals(2, tests.size(), SEEN.toString());
        assertNotEquals(tests.get(0), tests.get(1), "one namespace per test");
        assertEquals(tests, seen("beforeEach"), "@BeforeEach sees the test's namespace");
        for (String name : tests) {
            assertTrue(TeardownScopeTest.DNS_LABEL.matcher(name).matches() && name.startsWith("it-"), name);
            assertFalse(exists(name), name + " is gone after the passing test");
        }
        assertEquals(tests, seen("step, namespace exists=true"), "the after-each step ran while the namespace existed");
        String entry = entryOf(results, "first(TeardownScope)").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.startsWith("afterEach: 2 steps, 2 objects, DELETED=2 in "), entry);
        String steps = entryOf(results, "first(TeardownScope)").get(KubeTeardownExtension.REPORT_KEY + ".steps");
        assertTrue(
                steps.contains("\n2. namespaces/v1 in cluster scope, fields metadata.name=" + tests.get(0)
                        + ", names filtered: 1 object, DELETED=1 in "),
                steps);
    }

    @Test
    @DisplayName("kubeteardown.cleanup.mode=never keeps every test's namespace, and the skip names it")
    void neverKeepsTheNamespaces() {
        EngineExecutionResults results =
                run(PerTestTestCase.class, KubeTeardownExtension.CLEANUP_MODE_PROPERTY, "never");

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        List<String> tests = seen("test");
        assertTrue(tests.stream().allMatch(NamespaceLifecycleTest::exists), tests.toString());
        String skip = entryOf(results, "second(TeardownScope)").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                skip.startsWith("Skipping cleanup of a step factory, namespace " + tests.get(1)
                        + " for PerTestTestCase > second(TeardownScope) due to CleanupMode.NEVER"),
                skip);
    }

    @TestKitOnly
    static class OnSuccessTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(NamespaceLifecycleTest::client)
                .namespacePerTest("keep")
                .mode(CleanupMode.ON_SUCCESS);

        @Test
        void fails(TeardownScope scope) {
            record("fails", scope);
            fail("the test's own failure");
        }

        @Test
        void passes(TeardownScope scope) {
            record("passes", scope);
        }
    }

    @Test
    @DisplayName("ON_SUCCESS: a failed test keeps its namespace and the skip says so; a passing test's is deleted")
    void onSuccessKeepsAFailedTestsNamespace() {
        EngineExecutionResults results = run(OnSuccessTestCase.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        String kept = seen("fails").get(0);
        assertTrue(exists(kept), kept + " is kept");
        assertFalse(exists(seen("passes").get(0)));
        assertEquals(
                "the test's own failure",
                failureOf(results, "fails(TeardownScope)").getMessage());
        String skip = entryOf(results, "fails(TeardownScope)").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                skip.startsWith(
                        "Skipping cleanup of namespace " + kept + " for OnSuccessTestCase > fails(TeardownScope)"
                                + " due to CleanupMode.ON_SUCCESS: the test failed, its objects are kept for debugging"),
                skip);
    }

    // ---- per class

    @TestKitOnly
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClassTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown =
                KubeTeardownExtension.forClient(NamespaceLifecycleTest::client).namespacePerClass("shared");

        @BeforeAll
        static void beforeAll(TeardownScope scope) {
            record("beforeAll", scope);
        }

        @Test
        @Order(1)
        void first(TeardownScope scope) {
            record("test", scope);
        }

        @Test
        @Order(2)
        void second(TeardownScope scope) {
            record("test", scope);
        }

        @Nested
        class Inner {
            @Test
            void nested(TeardownScope scope) {
                record("test", scope);
            }
        }
    }

    @Test
    @DisplayName(
            "namespacePerClass: one namespace from @BeforeAll on, shared by the tests (nested too), deleted after all")
    void namespacePerClass() {
        EngineExecutionResults results = run(PerClassTestCase.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        String shared = seen("beforeAll").get(0);
        assertTrue(shared.startsWith("shared-"), shared);
        assertEquals(List.of(shared, shared, shared), seen("test"));
        assertFalse(exists(shared), shared + " is gone after all tests");
        String entry = entryOf(results, "PerClassTestCase").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                entry.startsWith("afterAll: 1 step, 1 object, DELETED=1 in ")
                        && entry.contains(" for class PerClassTestCase "),
                entry);
    }

    // ---- problems

    @TestKitOnly
    static class StuckTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(NamespaceLifecycleTest::client)
                .namespacePerTest("stuck", Duration.ofSeconds(1));

        @Test
        void holdsItsNamespace(TeardownScope scope) {
            record("test", scope);
            sim.fabricClient()
                    .namespaces()
                    .withName(scope.namespace())
                    .edit(ns -> new NamespaceBuilder(ns)
                            .editMetadata()
                            .withFinalizers("example.com/hold")
                            .endMetadata()
                            .build());
        }
    }

    @Test
    @DisplayName("a namespace still there at the deadline is STUCK and fails the passing test, saying why")
    void stuckNamespaceFailsTheTest() {
        EngineExecutionResults results = run(StuckTestCase.class);

        String name = seen("test").get(0);
        try {
            KubeTeardownFailedException e = assertInstanceOf(
                    KubeTeardownFailedException.class, failureOf(results, "holdsItsNamespace(TeardownScope)"));
            assertTrue(
                    e.getMessage()
                            .startsWith("Cleanup afterEach for StuckTestCase > holdsItsNamespace(TeardownScope) is not"
                                    + " clean: 1 problem (FAILED or STUCK) in 1 of 1 step\n  STUCK namespaces " + name
                                    + ": "),
                    e.getMessage());
            assertTrue(
                    e.getMessage().contains("example.com/hold")
                            && e.getMessage().contains("why: "),
                    e.getMessage());
            assertTrue(exists(name));
        } finally {
            sim.fabricClient()
                    .namespaces()
                    .withName(name)
                    .edit(ns -> new NamespaceBuilder(ns)
                            .editMetadata()
                            .withFinalizers(List.of())
                            .endMetadata()
                            .build());
        }
    }

    static volatile MockCluster mock;

    @TestKitOnly
    static class ForbiddenTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown =
                KubeTeardownExtension.forClient(() -> mock.client()).namespacePerTest("it");

        @Test
        void neverRuns() {
            SEEN.add("neverRuns: ran");
        }
    }

    @Test
    @DisplayName("a namespace that cannot be created fails the test before it runs, naming it and the server's answer")
    void creationRefused() {
        try (MockCluster cluster = MockCluster.start()) {
            mock = cluster;
            cluster.intercept(
                    (r, c) -> r.getMethod().equals("POST") && r.getPath().startsWith("/api/v1/namespaces")
                            ? MockCluster.status(
                                    403,
                                    "Forbidden",
                                    "namespaces is forbidden: User \"ci\" cannot create resource \"namespaces\"")
                            : null);
            EngineExecutionResults results =
                    TestKit.run(ForbiddenTestCase.class, KubeTeardownExtension.RUN_ID_PROPERTY, "ci-1");

            Throwable thrown = failureOf(results, "neverRuns()");
            assertInstanceOf(ExtensionConfigurationException.class, thrown);
            String name = TeardownScope.of(
                            "ci-1",
                            results.testEvents()
                                    .started()
                                    .list()
                                    .get(0)
                                    .getTestDescriptor()
                                    .getUniqueId()
                                    .toString(),
                            "neverRuns")
                    .uniqueName("it");
            assertEquals(
                    "cannot create namespace \"" + name + "\" for ForbiddenTestCase > neverRuns(): 403 Forbidden:"
                            + " namespaces is forbidden: User \"ci\" cannot create resource \"namespaces\"",
                    thrown.getMessage());
            assertEquals(List.of(), SEEN, "the test did not run");
            assertEquals(0, cluster.count("DELETE"), "nothing was created, so nothing is deleted");
        } finally {
            mock = null;
        }
    }

    @Test
    @DisplayName("a scope without a namespace says how to declare one; a bad prefix is refused where it is declared")
    void noNamespaceDeclared() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> TeardownScope.of("run1", "[class:X]", "X").namespace());
        assertEquals(
                "no namespace for [class:X]: declare namespacePerTest(prefix) or namespacePerClass(prefix) on the"
                        + " KubeTeardownExtension (a class's scope has a namespace only per class)",
                e.getMessage());
        KubeTeardownExtension extension = KubeTeardownExtension.forClient(NamespaceLifecycleTest::client);
        assertEquals(
                "namespace prefix must be a lower-case DNS label of at most 52 characters, was \"It_NS\"",
                assertThrows(IllegalArgumentException.class, () -> extension.namespacePerTest("It_NS"))
                        .getMessage());
        assertThrows(
                IllegalStateException.class,
                () -> extension.namespacePerTest("it").namespacePerClass("it"));
    }

    // ---- declared

    @TestKitOnly
    @KubeTeardown(namespacePerTest = "decl")
    static class DeclaredTestCase {
        @TeardownClient
        static ApiClient client;

        @BeforeAll
        static void connect() {
            client = NamespaceLifecycleTest.client();
        }

        @Test
        void usesItsNamespace(TeardownScope scope) {
            record("test", scope);
        }
    }

    @Test
    @DisplayName("@KubeTeardown(namespacePerTest = ...) does the same, with the client from the @TeardownClient field")
    void declaredNamespacePerTest() {
        EngineExecutionResults results = run(DeclaredTestCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        String name = seen("test").get(0);
        assertTrue(name.startsWith("decl-"), name);
        assertFalse(exists(name));
    }
}
