package dev.kubeteardown.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.RunLabels;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The per-test label: always a valid label value, unique per test and run, the same wherever it is asked for. */
class TeardownScopeTest {

    static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    @Test
    @DisplayName("any method name gives a valid label value of at most 63 characters, readable prefix kept")
    void labelValueIsAlwaysValid() {
        for (String readable : List.of("restoresABackup", "_weird name (with) ünïcödé?", "x".repeat(200), "", "---")) {
            TeardownScope scope =
                    TeardownScope.of("run1", "[engine:junit-jupiter]/[method:" + readable + "]", readable);
            assertTrue(LABEL_VALUE.matcher(scope.labelValue()).matches(), scope.labelValue());
            assertTrue(scope.labelValue().length() <= 63, scope.labelValue());
        }
        assertTrue(
                TeardownScope.of("run1", "id", "restoresABackup").labelValue().startsWith("restoresABackup-"));
    }

    @Test
    @DisplayName("the label depends on the unique id and the run id, not on the readable hint alone")
    void labelIsUniquePerTestAndRun() {
        TeardownScope a = TeardownScope.of("run1", "[method:x()]/[invocation:#1]", "x");
        assertEquals(a, TeardownScope.of("run1", "[method:x()]/[invocation:#1]", "x"));
        assertNotEquals(
                a.labelValue(),
                TeardownScope.of("run1", "[method:x()]/[invocation:#2]", "x").labelValue());
        assertNotEquals(
                a.labelValue(),
                TeardownScope.of("run2", "[method:x()]/[invocation:#1]", "x").labelValue());
        assertEquals(TeardownScope.TEST_LABEL + "=" + a.labelValue(), a.selector());
        assertEquals(
                Map.of(
                        TeardownScope.TEST_LABEL,
                        a.labelValue(),
                        TeardownScope.RUN_LABEL,
                        "run1",
                        RunLabels.STARTED_LABEL,
                        Long.toString(RunLabels.current().started().getEpochSecond())),
                a.labels());
        assertEquals(TeardownScope.RUN_LABEL + "=run1", a.runSelector());
    }

    @Test
    @DisplayName("uniqueName gives a DNS label for a per-test namespace or volume, and rejects a bad prefix")
    void uniqueNameIsADnsLabel() {
        TeardownScope scope = TeardownScope.of("run1", "id", "x");
        String name = scope.uniqueName("it-ns");
        assertTrue(DNS_LABEL.matcher(name).matches() && name.startsWith("it-ns-"), name);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scope.uniqueName("Bad_Prefix"));
        assertEquals(
                "prefix must be a lower-case DNS label of at most 52 characters, was \"Bad_Prefix\"", e.getMessage());
    }

    @TestKitOnly
    static class ScopeTestCase {
        static final List<TeardownScope> SEEN = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client);

        @BeforeAll
        static void beforeAll(TeardownScope scope) {
            SEEN.add(scope);
        }

        @BeforeEach
        void beforeEach(TeardownScope scope) {
            SEEN.add(scope);
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void test(int i, TeardownScope scope) {
            SEEN.add(scope);
        }

        @AfterAll
        static void afterAll(TeardownScope scope) {
            SEEN.add(scope);
        }
    }

    @Test
    @DisplayName(
            "the scope is injected: the same in @BeforeEach and the test, one per invocation, the class's in @BeforeAll")
    void scopeIsInjectedPerTest() {
        ScopeTestCase.SEEN.clear();
        EngineExecutionResults results =
                TestKit.run(ScopeTestCase.class, KubeTeardownExtension.RUN_ID_PROPERTY, "ci-1234");

        results.testEvents().assertStatistics(s -> s.succeeded(2));
        List<TeardownScope> seen = ScopeTestCase.SEEN;
        assertEquals(6, seen.size(), seen.toString());
        assertEquals(seen.get(0), seen.get(5), "@BeforeAll and @AfterAll: the class's scope");
        assertEquals(seen.get(1), seen.get(2), "@BeforeEach and the test: the test's scope");
        assertEquals(seen.get(3), seen.get(4));
        assertEquals(3, Set.copyOf(seen).size(), "class, invocation 1, invocation 2: " + seen);
        assertTrue(seen.stream().allMatch(s -> s.runId().equals("ci-1234")));
        assertTrue(seen.get(1).labelValue().startsWith("test-"), seen.get(1).labelValue());
    }

    @Test
    @DisplayName("an invalid kubeteardown.run.id is a configuration error naming the property")
    void invalidRunId() {
        EngineExecutionResults results =
                TestKit.run(ScopeTestCase.class, KubeTeardownExtension.RUN_ID_PROPERTY, "not a label!");

        Throwable thrown = TestKit.containerFailureOf(results, "ScopeTestCase");
        assertTrue(
                thrown instanceof ExtensionConfigurationException
                        || thrown.getCause() instanceof ExtensionConfigurationException,
                thrown.toString());
        assertTrue(thrown.toString().contains("kubeteardown.run.id must be a label value"), thrown.toString());
    }
}
