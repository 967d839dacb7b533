package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.BACKUPS;
import static dev.kubeteardown.junit.TestKit.BACKUP_VOLUMES;
import static dev.kubeteardown.junit.TestKit.CONFIG_MAPS;
import static dev.kubeteardown.junit.TestKit.NS;
import static dev.kubeteardown.junit.TestKit.entryOf;
import static dev.kubeteardown.junit.TestKit.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import io.kubernetes.client.openapi.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** {@code @KubeTeardown} and the ways of finding the client: annotated field, named field, supplier. */
class DeclarativeTest extends WithMockCluster {

    static final String TESTS = "tests";

    @TestKitOnly
    @KubeTeardown(longhorn = true)
    static class LonghornDeclaredTestCase {
        @TeardownClient
        static ApiClient client;

        @BeforeAll
        static void connect() {
            client = TestKit.client();
        }

        @Test
        void createsBackups() {
            TestKit.cluster.create(BACKUP_VOLUMES, NS, "vol-a");
            TestKit.cluster.create(BACKUPS, NS, "vol-a-backup-0", Map.of("backup-volume", "vol-a"), List.of());
        }
    }

    @Test
    @DisplayName("@KubeTeardown(longhorn = true) with a static @TeardownClient field: backup volumes, then backups")
    void declaredLonghorn() {
        EngineExecutionResults results = TestKit.run(LonghornDeclaredTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1));
        assertEquals(0, cluster.countObjects(BACKUPS, NS) + cluster.countObjects(BACKUP_VOLUMES, NS));
        assertTrue(
                TestKit.deletes().get(0).contains("/backupvolumes/"),
                TestKit.deletes().toString());
        String entry = entryOf(results, "createsBackups()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.startsWith("afterEach: 2 steps, 2 objects, DELETED=2"), entry);
        assertTrue(entry.contains("policy FAIL (@KubeTeardown)"), entry);
    }

    /** A step factory class for the annotation: the test's config maps only. */
    static final class ConfigMapsOfTheTest implements ScopedStepFactory {
        @Override
        public CleanupStep create(ApiClient client, TeardownScope scope) {
            return Cleanup.builder(client, CONFIG_MAPS)
                    .namespace(TESTS)
                    .labelSelector(scope.selector())
                    .build();
        }
    }

    @TestKitOnly
    @KubeTeardown(afterEach = ConfigMapsOfTheTest.class, mode = CleanupMode.ON_SUCCESS, clientField = "kube")
    static class ScopedDeclaredTestCase {
        ApiClient kube;

        @BeforeEach
        void connect() {
            kube = TestKit.client();
        }

        @Test
        void passes(TeardownScope scope) {
            TestKit.cluster.create(CONFIG_MAPS, TESTS, "from-passes", scope.labels(), List.of());
        }

        @Test
        void fails(TeardownScope scope) {
            TestKit.cluster.create(CONFIG_MAPS, TESTS, "from-fails", scope.labels(), List.of());
            fail("the test's own failure");
        }
    }

    @Test
    @DisplayName("@KubeTeardown with a scoped factory class, ON_SUCCESS and a named instance field")
    void declaredScopedFactoryWithNamedField() {
        TestKit.cluster.create(CONFIG_MAPS, TESTS, "bystander");
        EngineExecutionResults results = TestKit.run(ScopedDeclaredTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        assertFalse(cluster.exists(CONFIG_MAPS, TESTS, "from-passes"));
        assertTrue(cluster.exists(CONFIG_MAPS, TESTS, "from-fails"));
        assertTrue(cluster.exists(CONFIG_MAPS, TESTS, "bystander"), "not labelled for any test: untouched");
        assertTrue(entryOf(results, "fails(TeardownScope)")
                .get(KubeTeardownExtension.REPORT_KEY)
                .contains("due to CleanupMode.ON_SUCCESS"));
    }

    @TestKitOnly
    @ExtendWith(KubeTeardownExtension.class)
    static class ExtendWithoutAnnotationTestCase {
        @Test
        void passes() {}
    }

    @Test
    @DisplayName("@ExtendWith(KubeTeardownExtension.class) without @KubeTeardown fails the class, saying what to add")
    void extendWithoutAnnotationIsAConfigurationError() {
        EngineExecutionResults results = TestKit.run(ExtendWithoutAnnotationTestCase.class);

        Throwable thrown = TestKit.containerFailureOf(results, "ExtendWithoutAnnotationTestCase");
        assertInstanceOf(ExtensionConfigurationException.class, thrown);
        assertTrue(
                thrown.getMessage()
                        .endsWith("registers KubeTeardownExtension without @KubeTeardown: annotate it"
                                + " with @KubeTeardown(...) or register the extension with @RegisterExtension"),
                thrown.getMessage());
    }

    @TestKitOnly
    static class MissingFieldTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClientField("client")
                .failurePolicy(FailurePolicy.WARN)
                .afterEach(c -> Cleanup.builder(c, CONFIG_MAPS).build());

        @Test
        void passes() {}
    }

    @Test
    @DisplayName("a client field that does not exist is a mistake in the test: it fails even with FailurePolicy.WARN")
    void missingClientFieldFailsEvenWithWarn() {
        EngineExecutionResults results = TestKit.run(MissingFieldTestCase.class);

        Throwable thrown = failureOf(results, "passes()");
        assertInstanceOf(ExtensionConfigurationException.class, thrown);
        assertEquals(
                "no client field \"client\" in " + MissingFieldTestCase.class.getName()
                        + " (nor its superclasses or enclosing classes)",
                thrown.getMessage());
    }

    @TestKitOnly
    static class NullClientTestCase {
        /** Built in advance, with its own client (looked up when it runs, as the mock changes per test). */
        static final CleanupStep PREBUILT = new CleanupStep() {
            @Override
            public CleanupReport execute() {
                return Cleanup.builder(TestKit.client(), CONFIG_MAPS)
                        .namespace(TESTS)
                        .build()
                        .execute();
            }

            @Override
            public String description() {
                return "configmaps in namespace " + TESTS;
            }
        };

        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> null)
                .afterEach(
                        c -> Cleanup.builder(c, CONFIG_MAPS).namespace("other").build())
                .afterEach(
                        PREBUILT); // already-built steps, as in afterEach(BackupstoreCleanup.builder(client).build())

        @Test
        void passes() {
            TestKit.cluster.create(CONFIG_MAPS, TESTS, "cm");
        }
    }

    @Test
    @DisplayName("a supplier that gives no client fails the steps that need one; built steps still run")
    void nullClientFailsOnlyTheStepsThatNeedIt() {
        EngineExecutionResults results = TestKit.run(NullClientTestCase.class);

        KubeTeardownFailedException e =
                assertInstanceOf(KubeTeardownFailedException.class, failureOf(results, "passes()"));
        assertTrue(
                e.getMessage()
                        .contains(
                                "step 1 did not complete: dev.kubeteardown.junit.ClientSource$ClientUnavailableException:"
                                        + " the client supplier gave null"),
                e.getMessage());
        assertFalse(cluster.exists(CONFIG_MAPS, TESTS, "cm"), "the built step ran");
    }

    @Test
    @DisplayName("the extension's fluent methods return new instances: a configured extension can be shared")
    void fluentMethodsReturnNewInstances() {
        KubeTeardownExtension base = KubeTeardownExtension.forClient(TestKit::client);
        KubeTeardownExtension withStep =
                base.afterEach(c -> Cleanup.builder(c, CONFIG_MAPS).build());
        KubeTeardownExtension withMode = withStep.mode(CleanupMode.NEVER);

        assertTrue(base.toString().contains("afterEach [], afterAll [], mode DEFAULT"), base.toString());
        assertTrue(
                withStep.toString().contains("afterEach [a step factory], afterAll [], mode DEFAULT"),
                withStep.toString());
        assertTrue(withMode.toString().contains("mode NEVER"), withMode.toString());
        IllegalStateException e = Assertions.assertThrows(
                IllegalStateException.class, () -> new KubeTeardownExtension().afterEach(c -> null));
        assertTrue(e.getMessage().startsWith("this instance is configured by @KubeTeardown"), e.getMessage());
    }
}
