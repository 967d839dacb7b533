package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.BACKUPS;
import static dev.kubeteardown.junit.TestKit.BACKUP_VOLUMES;
import static dev.kubeteardown.junit.TestKit.NS;
import static dev.kubeteardown.junit.TestKit.deletes;
import static dev.kubeteardown.junit.TestKit.entryOf;
import static dev.kubeteardown.junit.TestKit.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/** The extension after each test, through EngineTestKit against the CRUD mock: order, modes, policies, reports. */
class KubeTeardownExtensionTest extends WithMockCluster {

    static void createBackupstore(String volume, int backups) {
        TestKit.cluster.create(BACKUP_VOLUMES, NS, volume);
        for (int i = 0; i < backups; i++) {
            TestKit.cluster.create(BACKUPS, NS, volume + "-backup-" + i, Map.of("backup-volume", volume), List.of());
        }
    }

    /** The resource of each DELETE, with runs of the same resource collapsed: the order steps ran in. */
    static List<String> deleteOrder() {
        List<String> kinds = deletes().stream()
                .map(p -> p.contains("/backupvolumes/") ? "backupvolumes" : "backups")
                .collect(Collectors.toList());
        return IntStream.range(0, kinds.size())
                .filter(i -> i == 0 || !kinds.get(i).equals(kinds.get(i - 1)))
                .mapToObj(kinds::get)
                .collect(Collectors.toList());
    }

    static String forbidden(String name) {
        return "backups.longhorn.io \"" + name + "\" is forbidden: User \"ci\" cannot delete resource";
    }

    /** Answers 403 to every DELETE of the named backup, as RBAC would. */
    void forbidDeleteOf(String name) {
        cluster.intercept((r, c) ->
                r.getMethod().equals("DELETE") && r.getPath().split("\\?")[0].endsWith("/backups/" + name)
                        ? MockCluster.status(403, "Forbidden", forbidden(name))
                        : null);
    }

    // ---- order

    @TestKitOnly
    static class StepsInOrderTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach(
                        c -> BackupstoreCleanup.builder(c).build(),
                        c -> BackupCleanup.builder(c).build());

        @Test
        void first() {
            assertEquals(0, TestKit.cluster.countObjects(BACKUPS, NS), "left over by an earlier test");
            createBackupstore("vol-a", 2);
        }

        @Test
        void second() {
            assertEquals(0, TestKit.cluster.countObjects(BACKUPS, NS), "left over by an earlier test");
            createBackupstore("vol-b", 1);
        }
    }

    @Test
    @DisplayName("steps run after each test in the declared order: backup volumes, then backups")
    void stepsRunAfterEachTestInOrder() {
        EngineExecutionResults results = TestKit.run(StepsInOrderTestCase.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertEquals(
                List.of("backupvolumes", "backups", "backupvolumes", "backups"),
                deleteOrder(),
                deletes().toString());
        assertEquals(0, cluster.countObjects(BACKUPS, NS));
        assertEquals(0, cluster.countObjects(BACKUP_VOLUMES, NS));
        String entry = entryOf(results, "first()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.startsWith("afterEach: 2 steps, 3 objects, DELETED=3 in "), entry);
        assertTrue(
                entry.contains(
                        ", clean for StepsInOrderTestCase > first() (mode ALWAYS (default), policy FAIL (default))"),
                entry);
        String steps = entryOf(results, "first()").get(KubeTeardownExtension.REPORT_KEY + ".steps");
        assertTrue(
                steps.startsWith(
                        "1. backupvolumes.longhorn.io/v1beta2 in namespace longhorn-system: 1 object, DELETED=1"),
                steps);
        assertTrue(
                steps.contains("\n2. backups.longhorn.io/v1beta2 in namespace longhorn-system: 2 objects, DELETED=2"),
                steps);
    }

    @TestKitOnly
    static class LonghornPresetTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.longhorn(TestKit::client);

        @Test
        void createsBackups() {
            createBackupstore("vol-a", 2);
            createBackupstore("vol-b", 1);
        }
    }

    @Test
    @DisplayName("longhorn(...) deletes backup volumes, then backups, after each test")
    void longhornPreset() {
        TestKit.cluster.create(BACKUPS, NS, "orphan-backup"); // a failed backup without volume: left for step two
        EngineExecutionResults results = TestKit.run(LonghornPresetTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1));
        assertEquals(List.of("backupvolumes", "backups"), deleteOrder());
        assertEquals(0, cluster.countObjects(BACKUPS, NS));
        assertEquals(0, cluster.countObjects(BACKUP_VOLUMES, NS));
    }

    // ---- modes

    @TestKitOnly
    static class FailingTestTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach(c -> BackupCleanup.builder(c).build());

        @Test
        void fails() {
            TestKit.cluster.create(BACKUPS, NS, "backup-of-a-failed-test");
            fail("the test's own failure");
        }
    }

    @Test
    @DisplayName("ALWAYS (the default): a failed test is still cleaned up, and its own failure is what is reported")
    void failedTestIsCleanedUpByDefault() {
        EngineExecutionResults results = TestKit.run(FailingTestTestCase.class);

        Throwable thrown = failureOf(results, "fails()");
        assertEquals("the test's own failure", thrown.getMessage());
        assertEquals(0, thrown.getSuppressed().length);
        assertFalse(cluster.exists(BACKUPS, NS, "backup-of-a-failed-test"));
        assertTrue(entryOf(results, "fails()")
                .get(KubeTeardownExtension.REPORT_KEY)
                .contains("DELETED=1"));
    }

    @TestKitOnly
    static class OnSuccessTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .mode(CleanupMode.ON_SUCCESS)
                .afterEach((c, scope) ->
                        BackupCleanup.builder(c).labelSelector(scope.selector()).build());

        @Test
        void fails(TeardownScope scope) {
            TestKit.cluster.create(BACKUPS, NS, "debug-me", scope.labels(), List.of());
            fail("the test's own failure");
        }

        @Test
        void passes(TeardownScope scope) {
            TestKit.cluster.create(BACKUPS, NS, "clean-me", scope.labels(), List.of());
        }
    }

    @Test
    @DisplayName(
            "ON_SUCCESS keeps a failed test's objects, says so in the log and the report entry, and cleans a passing test")
    void onSuccessKeepsTheObjectsOfAFailedTestAndSaysSo() {
        String log;
        EngineExecutionResults results;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        try {
            results = TestKit.run(OnSuccessTestCase.class);
        } finally {
            System.setErr(err);
            log = captured.toString(StandardCharsets.UTF_8);
        }

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertTrue(cluster.exists(BACKUPS, NS, "debug-me"));
        assertFalse(cluster.exists(BACKUPS, NS, "clean-me"));
        assertEquals(0, failureOf(results, "fails(TeardownScope)").getSuppressed().length);
        String skip = entryOf(results, "fails(TeardownScope)").get(KubeTeardownExtension.REPORT_KEY);
        String label = cluster.get(BACKUPS, NS, "debug-me")
                .getAsJsonObject("metadata")
                .getAsJsonObject("labels")
                .get(TeardownScope.TEST_LABEL)
                .getAsString();
        assertTrue(
                skip.startsWith("Skipping cleanup of a step factory for OnSuccessTestCase > fails(TeardownScope) due to"
                        + " CleanupMode.ON_SUCCESS: the test failed, its objects are kept for debugging"),
                skip);
        assertTrue(skip.endsWith("; label " + TeardownScope.TEST_LABEL + "=" + label + ")"), skip);
        assertTrue(log.contains("WARN dev.kubeteardown.junit.KubeTeardownExtension - " + skip), log);
        assertTrue(entryOf(results, "passes(TeardownScope)")
                .get(KubeTeardownExtension.REPORT_KEY)
                .contains("DELETED=1"));
        assertEquals(1, deletes().size(), "only the passing test's backup is deleted: " + deletes());
    }

    @TestKitOnly
    static class CodeSaysAlwaysTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .mode(CleanupMode.ALWAYS)
                .afterEach(c -> BackupCleanup.builder(c).build());

        @Test
        void fails() {
            TestKit.cluster.create(BACKUPS, NS, "backup-1");
            fail("the test's own failure");
        }
    }

    @Test
    @DisplayName("the configuration parameter kubeteardown.cleanup.mode overrides the mode set in code")
    void modeParameterOverridesCode() {
        EngineExecutionResults results =
                TestKit.run(CodeSaysAlwaysTestCase.class, KubeTeardownExtension.CLEANUP_MODE_PROPERTY, "on_success");

        assertTrue(cluster.exists(BACKUPS, NS, "backup-1"), "kept: the parameter said ON_SUCCESS");
        assertEquals(List.of(), deletes());
        String entry = entryOf(results, "fails()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.contains("due to CleanupMode.ON_SUCCESS"), entry);
        assertTrue(entry.contains("mode ON_SUCCESS (kubeteardown.cleanup.mode)"), entry);

        TestKit.run(CodeSaysAlwaysTestCase.class); // without the parameter, the code's ALWAYS applies
        assertFalse(cluster.exists(BACKUPS, NS, "backup-1"));
    }

    @Test
    @DisplayName(
            "the system property kubeteardown.cleanup.mode=never keeps everything (JUnit reads system properties too)")
    void modeSystemPropertyNever() {
        System.setProperty(KubeTeardownExtension.CLEANUP_MODE_PROPERTY, "NEVER");
        EngineExecutionResults results;
        try {
            results = EngineTestKit.engine("junit-jupiter")
                    .selectors(DiscoverySelectors.selectClass(PassingTestTestCase.class))
                    .configurationParameter(TestKit.ENABLED, "true")
                    .enableImplicitConfigurationParameters(true)
                    .execute();
        } finally {
            System.clearProperty(KubeTeardownExtension.CLEANUP_MODE_PROPERTY);
        }
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(List.of(), deletes());
        assertEquals(3, cluster.countObjects(BACKUPS, NS));
        String entry = entryOf(results, "passes()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                entry.startsWith("Skipping cleanup of a step factory"
                        + " for PassingTestTestCase > passes() due to CleanupMode.NEVER: objects are kept"),
                entry);
    }

    /** Runs {@code body} with the system property set, then restores what was there (also when it throws). */
    static <T> T withSystemProperty(String key, String value, Supplier<T> body) {
        String before = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    @Test
    @DisplayName(
            "the system property kubeteardown.cleanup.mode applies without JUnit's implicit parameters (EngineTestKit's default)")
    void modeSystemPropertyWithoutImplicitParameters() {
        EngineExecutionResults results = withSystemProperty(
                KubeTeardownExtension.CLEANUP_MODE_PROPERTY, "never", () -> TestKit.run(PassingTestTestCase.class));

        assertEquals(null, System.getProperty(KubeTeardownExtension.CLEANUP_MODE_PROPERTY), "restored");
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(List.of(), deletes());
        String entry = entryOf(results, "passes()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                entry.contains("due to CleanupMode.NEVER") && entry.contains("mode NEVER (kubeteardown.cleanup.mode)"),
                entry);
    }

    @Test
    @DisplayName("an explicit configuration parameter wins over the system property of the same name")
    void explicitParameterWinsOverSystemProperty() {
        EngineExecutionResults results = withSystemProperty(
                KubeTeardownExtension.CLEANUP_MODE_PROPERTY,
                "never",
                () -> TestKit.run(PassingTestTestCase.class, KubeTeardownExtension.CLEANUP_MODE_PROPERTY, "always"));

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(0, cluster.countObjects(BACKUPS, NS), "cleaned: the parameter said ALWAYS");
        assertTrue(entryOf(results, "passes()")
                .get(KubeTeardownExtension.REPORT_KEY)
                .contains("mode ALWAYS (kubeteardown.cleanup.mode)"));
    }

    @Test
    @DisplayName("the system property kubeteardown.failure.policy=warn applies without JUnit's implicit parameters")
    void policySystemPropertyWithoutImplicitParameters() {
        forbidDeleteOf("backup-b");
        EngineExecutionResults results = withSystemProperty(
                KubeTeardownExtension.FAILURE_POLICY_PROPERTY, "warn", () -> TestKit.run(PassingTestTestCase.class));

        assertEquals(null, System.getProperty(KubeTeardownExtension.FAILURE_POLICY_PROPERTY), "restored");
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        String entry = entryOf(results, "passes()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.contains("NOT CLEAN") && entry.contains("policy WARN (kubeteardown.failure.policy)"), entry);
    }

    static final AtomicInteger CLIENT_CALLS = new AtomicInteger();
    static final AtomicInteger FACTORY_CALLS = new AtomicInteger();

    @TestKitOnly
    static class CountingNeverTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> {
                    CLIENT_CALLS.incrementAndGet();
                    return TestKit.client();
                })
                .mode(CleanupMode.NEVER)
                .afterEach(c -> {
                    FACTORY_CALLS.incrementAndGet();
                    return BackupCleanup.builder(c).build();
                })
                .afterAll(c -> {
                    FACTORY_CALLS.incrementAndGet();
                    return BackupCleanup.builder(c).build();
                });

        @Test
        void passes() {
            TestKit.cluster.create(BACKUPS, NS, "kept");
        }
    }

    @Test
    @DisplayName("a skipped cleanup calls neither the client supplier nor a step factory, and still reports the skip")
    void skipCallsNoSupplierOrFactory() {
        CLIENT_CALLS.set(0);
        FACTORY_CALLS.set(0);
        EngineExecutionResults results = TestKit.run(CountingNeverTestCase.class);

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(0, CLIENT_CALLS.get(), "client supplier calls");
        assertEquals(0, FACTORY_CALLS.get(), "step factory calls");
        assertTrue(cluster.exists(BACKUPS, NS, "kept"));
        assertTrue(
                entryOf(results, "passes()")
                        .get(KubeTeardownExtension.REPORT_KEY)
                        .startsWith(
                                "Skipping cleanup of a step factory for CountingNeverTestCase > passes() due to CleanupMode.NEVER"));
        assertTrue(entryOf(results, "CountingNeverTestCase")
                .get(KubeTeardownExtension.REPORT_KEY)
                .startsWith(
                        "Skipping cleanup of a step factory for class CountingNeverTestCase due to CleanupMode.NEVER"));
    }

    @Test
    @DisplayName("an invalid kubeteardown.cleanup.mode fails the test, naming the parameter and the allowed values")
    void invalidModeParameterIsAConfigurationError() {
        EngineExecutionResults results =
                TestKit.run(CodeSaysAlwaysTestCase.class, KubeTeardownExtension.CLEANUP_MODE_PROPERTY, "sometimes");

        Throwable cleanupError = failureOf(results, "fails()").getSuppressed()[0];
        assertInstanceOf(ExtensionConfigurationException.class, cleanupError);
        assertEquals(
                "kubeteardown.cleanup.mode must be one of DEFAULT, ALWAYS, ON_SUCCESS, NEVER, was \"sometimes\"",
                cleanupError.getMessage());
    }

    // ---- failure policy

    @TestKitOnly
    static class PassingTestTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach(c -> BackupCleanup.builder(c).build());

        @Test
        void passes() {
            for (String name : List.of("backup-a", "backup-b", "backup-c")) {
                TestKit.cluster.create(BACKUPS, NS, name);
            }
        }
    }

    @Test
    @DisplayName("FAIL: a 403 during cleanup fails a passing test, naming the object and the server's message")
    void forbiddenDeleteFailsThePassingTest() {
        forbidDeleteOf("backup-b");
        EngineExecutionResults results = TestKit.run(PassingTestTestCase.class);

        Throwable thrown = failureOf(results, "passes()");
        KubeTeardownFailedException e = assertInstanceOf(KubeTeardownFailedException.class, thrown);
        assertTrue(
                e.getMessage()
                        .startsWith("Cleanup afterEach for PassingTestTestCase > passes() is not clean:"
                                + " 1 problem (FAILED or STUCK) in 1 of 1 step\n  FAILED backups.longhorn.io longhorn-system/backup-b:"
                                + " 403 Forbidden: " + forbidden("backup-b")),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(see suppressed exceptions for details)"), e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertInstanceOf(CleanupFailedException.ObjectCleanupException.class, e.getSuppressed()[0]);
        assertEquals(List.of(), e.stepFailures());
        assertEquals(2, e.report().count(Outcome.Status.DELETED));
        assertTrue(cluster.exists(BACKUPS, NS, "backup-b"));
        assertTrue(entryOf(results, "passes()")
                .get(KubeTeardownExtension.REPORT_KEY)
                .contains("DELETED=2 FAILED=1"));
    }

    @Test
    @DisplayName("WARN (kubeteardown.failure.policy=warn): a 403 during cleanup is reported but the test passes")
    void forbiddenDeleteOnlyWarns() {
        forbidDeleteOf("backup-b");
        EngineExecutionResults results =
                TestKit.run(PassingTestTestCase.class, KubeTeardownExtension.FAILURE_POLICY_PROPERTY, "warn");

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        String entry = entryOf(results, "passes()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.contains("DELETED=2 FAILED=1") && entry.contains("NOT CLEAN"), entry);
        assertTrue(entry.contains("policy WARN (kubeteardown.failure.policy)"), entry);
    }

    @TestKitOnly
    static class WarnInCodeTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .failurePolicy(FailurePolicy.WARN)
                .afterEach(c -> BackupCleanup.builder(c).build());

        @Test
        void passes() {
            if (!TestKit.cluster.exists(BACKUPS, NS, "backup-b")) { // an earlier run may have left it
                TestKit.cluster.create(BACKUPS, NS, "backup-b");
            }
        }
    }

    @Test
    @DisplayName("the failure policy parameter overrides the policy set in code, in both directions")
    void policyParameterOverridesCode() {
        forbidDeleteOf("backup-b");
        TestKit.run(WarnInCodeTestCase.class).testEvents().assertStatistics(s -> s.succeeded(1));
        EngineExecutionResults strict =
                TestKit.run(WarnInCodeTestCase.class, KubeTeardownExtension.FAILURE_POLICY_PROPERTY, "FAIL");
        assertInstanceOf(KubeTeardownFailedException.class, failureOf(strict, "passes()"));
    }

    @Test
    @DisplayName("a failed test with a failed cleanup reports both: the test's failure first, the cleanup's suppressed")
    void failedTestAndFailedCleanupReportBoth() {
        cluster.intercept((r, c) -> r.getMethod().equals("DELETE")
                ? MockCluster.status(403, "Forbidden", forbidden("backup-of-a-failed-test"))
                : null);
        EngineExecutionResults results = TestKit.run(FailingTestTestCase.class);

        Throwable thrown = failureOf(results, "fails()");
        assertInstanceOf(AssertionFailedError.class, thrown);
        assertEquals("the test's own failure", thrown.getMessage());
        assertEquals(1, thrown.getSuppressed().length);
        KubeTeardownFailedException cleanup =
                assertInstanceOf(KubeTeardownFailedException.class, thrown.getSuppressed()[0]);
        assertTrue(
                cleanup.getMessage()
                        .contains("FAILED backups.longhorn.io longhorn-system/backup-of-a-failed-test: 403"),
                cleanup.getMessage());
    }

    @Test
    @DisplayName("a backup deleted by someone else between our list and our delete (404) never fails a test")
    void deleteRacing404NeverFails() {
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("DELETE") && r.getPath().split("\\?")[0].endsWith("/backups/backup-a")) {
                c.deleteNow(BACKUPS, NS, "backup-a"); // Longhorn wins the race
                return new MockResponse().setResponseCode(404);
            }
            return null;
        });
        EngineExecutionResults results = TestKit.run(PassingTestTestCase.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        String entry = entryOf(results, "passes()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(entry.contains("3 objects, DELETED=2 ALREADY_GONE=1 in ") && entry.contains(", clean "), entry);
    }

    // ---- every step runs

    /** A custom step that cannot even start. */
    static final CleanupStep BROKEN_STEP = new CleanupStep() {
        @Override
        public CleanupReport execute() {
            throw new IllegalStateException("the custom step broke");
        }

        @Override
        public String description() {
            return "a custom step";
        }
    };

    /** A custom step that breaks its contract: no report and no exception. */
    static final CleanupStep NULL_REPORT_STEP = new CleanupStep() {
        @Override
        public CleanupReport execute() {
            return null;
        }

        @Override
        public String description() {
            return "a step without report";
        }
    };

    @TestKitOnly
    static class NullReportTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEachSteps(NULL_REPORT_STEP)
                .afterEach(c -> BackupCleanup.builder(c).build());

        @Test
        void passes() {
            TestKit.cluster.create(BACKUPS, NS, "backup-a");
        }
    }

    @Test
    @DisplayName(
            "a custom step whose execute() returns null is a step failure, the next step still runs, the entry is published")
    void nullReportIsAStepFailure() {
        EngineExecutionResults results = TestKit.run(NullReportTestCase.class);

        KubeTeardownFailedException e =
                assertInstanceOf(KubeTeardownFailedException.class, failureOf(results, "passes()"));
        assertEquals(
                List.of(IllegalStateException.class),
                e.stepFailures().stream().map(Object::getClass).collect(Collectors.toList()));
        assertTrue(
                e.getMessage()
                        .contains(
                                "FAILED a step without report (scope): step 1 did not complete: "
                                        + "java.lang.IllegalStateException: step 1 (a step without report) returned no report (null)"),
                e.getMessage());
        assertFalse(cluster.exists(BACKUPS, NS, "backup-a"), "the second step ran");
        String entry = entryOf(results, "passes()").get(KubeTeardownExtension.REPORT_KEY);
        assertTrue(
                entry.startsWith("afterEach: 2 steps (1 threw), 1 object, DELETED=1 FAILED=1 in ")
                        && entry.contains("NOT CLEAN"),
                entry);
    }

    @TestKitOnly
    static class ThrowingStepsTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach(c -> BackupstoreCleanup.builder(c).build()) // its list is forbidden: throws
                .afterEachSteps(BROKEN_STEP)
                .afterEach(c -> {
                    throw new IllegalArgumentException("the factory broke");
                })
                .afterEach(c -> BackupCleanup.builder(c).build());

        @Test
        void passes() {
            TestKit.cluster.create(BACKUPS, NS, "backup-a");
            TestKit.cluster.create(BACKUPS, NS, "backup-b");
        }
    }

    @Test
    @DisplayName(
            "steps that throw (configuration error, custom step, factory) do not stop the next; all are aggregated")
    void throwingStepsDoNotStopTheNext() {
        cluster.intercept((r, c) -> r.getMethod().equals("GET") && r.getPath().contains("/backupvolumes")
                ? MockCluster.status(
                        403, "Forbidden", "backupvolumes.longhorn.io is forbidden: User \"ci\" cannot list")
                : null);
        EngineExecutionResults results = TestKit.run(ThrowingStepsTestCase.class);

        assertEquals(0, cluster.countObjects(BACKUPS, NS), "the last step still ran");
        KubeTeardownFailedException e =
                assertInstanceOf(KubeTeardownFailedException.class, failureOf(results, "passes()"));
        assertEquals(
                List.of(
                        CleanupConfigurationException.class,
                        IllegalStateException.class,
                        IllegalArgumentException.class),
                e.stepFailures().stream().map(Object::getClass).collect(Collectors.toList()));
        assertTrue(
                e.getMessage()
                        .startsWith("Cleanup afterEach for ThrowingStepsTestCase > passes() is not clean:"
                                + " 3 problems (FAILED or STUCK) in 3 of 4 steps\n"),
                e.getMessage());
        for (String line : List.of(
                "FAILED a custom step (scope): step 2 did not complete: java.lang.IllegalStateException: the custom step broke",
                "FAILED a step factory (scope): step 3 did not complete: java.lang.IllegalArgumentException: the factory broke",
                "FAILED backupvolumes.longhorn.io/v1beta2 in namespace longhorn-system (scope): step 1 did not complete: "
                        + CleanupConfigurationException.class.getName() + ": cannot list")) {
            assertTrue(e.getMessage().contains("\n  " + line), line + " not in\n" + e.getMessage());
        }
        List<Throwable> suppressed = Arrays.asList(e.getSuppressed());
        assertEquals(6, suppressed.size(), "one per problem, then each step's own exception: " + suppressed);
        assertEquals(e.stepFailures(), suppressed.subList(3, 6));
        assertEquals(2, e.report().count(Outcome.Status.DELETED));
        assertTrue(entryOf(results, "passes()")
                .get(KubeTeardownExtension.REPORT_KEY)
                .startsWith("afterEach: 4 steps (3 threw), 2 objects, DELETED=2 FAILED=3 in "));
    }
}
