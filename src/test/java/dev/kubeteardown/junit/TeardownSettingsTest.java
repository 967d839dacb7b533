package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.KubeTeardownExtension.CLEANUP_MODE_PROPERTY;
import static dev.kubeteardown.junit.KubeTeardownExtension.FAILURE_POLICY_PROPERTY;
import static dev.kubeteardown.junit.KubeTeardownExtension.RUN_ID_PROPERTY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kubeteardown.RunLabels;
import dev.kubeteardown.junit.TeardownSettings.Setting;
import dev.kubeteardown.junit.TeardownSettings.Sources;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The precedence of the extension's settings: configuration parameter, system property, environment variable, the
 * value set in code, the default. Each source is a map here, so nothing touches the JVM's properties or environment.
 */
class TeardownSettingsTest {

    private final Map<String, String> parameters = new HashMap<>();
    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();
    private final Sources sources =
            new Sources(key -> Optional.ofNullable(parameters.get(key)), properties::get, environment::get);

    private TeardownSettings resolve(CleanupMode declaredMode, FailurePolicy declaredPolicy) {
        return TeardownSettings.resolve(sources, declaredMode, declaredPolicy, "extension");
    }

    @Test
    @DisplayName("the environment variable of a key is its name in upper case with dots as underscores")
    void environmentVariableNames() {
        assertEquals("KUBETEARDOWN_CLEANUP_MODE", TeardownSettings.environmentVariable(CLEANUP_MODE_PROPERTY));
        assertEquals("KUBETEARDOWN_FAILURE_POLICY", TeardownSettings.environmentVariable(FAILURE_POLICY_PROPERTY));
        assertEquals("KUBETEARDOWN_RUN_ID", TeardownSettings.environmentVariable(RUN_ID_PROPERTY));
    }

    @Test
    @DisplayName("nothing set: the built-in defaults, ALWAYS and FAIL")
    void defaults() {
        assertEquals(
                "mode ALWAYS (default), policy FAIL (default)",
                resolve(null, null).toString());
    }

    @Test
    @DisplayName("the value set in code wins over the default")
    void codeOverDefault() {
        assertEquals(
                "mode ON_SUCCESS (extension), policy WARN (extension)",
                resolve(CleanupMode.ON_SUCCESS, FailurePolicy.WARN).toString());
    }

    @Test
    @DisplayName("the environment variable wins over the value set in code")
    void environmentOverCode() {
        environment.put("KUBETEARDOWN_CLEANUP_MODE", "never");
        environment.put("KUBETEARDOWN_FAILURE_POLICY", "fail");

        TeardownSettings settings = resolve(CleanupMode.ON_SUCCESS, FailurePolicy.WARN);

        assertEquals(
                "mode NEVER (KUBETEARDOWN_CLEANUP_MODE), policy FAIL (KUBETEARDOWN_FAILURE_POLICY)",
                settings.toString());
    }

    @Test
    @DisplayName("the system property wins over the environment variable")
    void systemPropertyOverEnvironment() {
        environment.put("KUBETEARDOWN_CLEANUP_MODE", "never");
        environment.put("KUBETEARDOWN_FAILURE_POLICY", "fail");
        properties.put(CLEANUP_MODE_PROPERTY, "on-success");
        properties.put(FAILURE_POLICY_PROPERTY, "WARN");

        TeardownSettings settings = resolve(CleanupMode.ALWAYS, null);

        assertEquals(
                "mode ON_SUCCESS (kubeteardown.cleanup.mode), policy WARN (kubeteardown.failure.policy)",
                settings.toString());
    }

    @Test
    @DisplayName("the configuration parameter wins over the system property and the environment variable")
    void parameterOverSystemProperty() {
        environment.put("KUBETEARDOWN_CLEANUP_MODE", "never");
        properties.put(CLEANUP_MODE_PROPERTY, "on_success");
        parameters.put(CLEANUP_MODE_PROPERTY, "always");

        assertEquals(CleanupMode.ALWAYS, resolve(CleanupMode.NEVER, null).mode());
        assertEquals(CLEANUP_MODE_PROPERTY, resolve(CleanupMode.NEVER, null).modeSource());
    }

    @Test
    @DisplayName("a blank value counts as unset: the next source applies")
    void blankFallsThrough() {
        parameters.put(CLEANUP_MODE_PROPERTY, " ");
        properties.put(CLEANUP_MODE_PROPERTY, "");
        environment.put("KUBETEARDOWN_CLEANUP_MODE", " on_success ");

        assertEquals(
                new Setting("on_success", "KUBETEARDOWN_CLEANUP_MODE"),
                sources.lookup(CLEANUP_MODE_PROPERTY).orElseThrow());
        assertEquals("KUBETEARDOWN_CLEANUP_MODE", resolve(null, null).modeSource());
    }

    @Test
    @DisplayName("mode DEFAULT in the environment leaves the value set in code")
    void defaultModeInEnvironmentKeepsCode() {
        environment.put("KUBETEARDOWN_CLEANUP_MODE", "default");

        assertEquals(
                "mode NEVER (extension), policy FAIL (default)",
                resolve(CleanupMode.NEVER, null).toString());
    }

    @Test
    @DisplayName("an invalid mode in the environment is a configuration error naming the variable")
    void invalidModeInEnvironment() {
        environment.put("KUBETEARDOWN_CLEANUP_MODE", "sometimes");

        ExtensionConfigurationException e =
                assertThrows(ExtensionConfigurationException.class, () -> resolve(CleanupMode.ALWAYS, null));
        assertEquals(
                "KUBETEARDOWN_CLEANUP_MODE must be one of DEFAULT, ALWAYS, ON_SUCCESS, NEVER, was \"sometimes\"",
                e.getMessage());
    }

    @Test
    @DisplayName("an invalid policy in the environment is a configuration error naming the variable")
    void invalidPolicyInEnvironment() {
        environment.put("KUBETEARDOWN_FAILURE_POLICY", "ignore");

        ExtensionConfigurationException e =
                assertThrows(ExtensionConfigurationException.class, () -> resolve(null, FailurePolicy.WARN));
        assertEquals("KUBETEARDOWN_FAILURE_POLICY must be one of FAIL, WARN, was \"ignore\"", e.getMessage());
    }

    @Test
    @DisplayName("an invalid value in the environment fails even when the code sets a valid one")
    void invalidEnvironmentIsNotIgnored() {
        environment.put("KUBETEARDOWN_CLEANUP_MODE", "nope");

        assertThrows(ExtensionConfigurationException.class, () -> resolve(CleanupMode.ON_SUCCESS, null));
    }

    @Test
    @DisplayName("the run id: parameter, then system property, then environment, then the JVM's run")
    void runIdPrecedence() {
        assertEquals(RunLabels.current().id(), TeardownSettings.runId(sources));
        environment.put("KUBETEARDOWN_RUN_ID", "ci-env");
        assertEquals("ci-env", TeardownSettings.runId(sources));
        properties.put(RUN_ID_PROPERTY, "ci-property");
        assertEquals("ci-property", TeardownSettings.runId(sources));
        parameters.put(RUN_ID_PROPERTY, "ci-parameter");
        assertEquals("ci-parameter", TeardownSettings.runId(sources));
    }

    @Test
    @DisplayName("an invalid run id in the environment is a configuration error naming the variable")
    void invalidRunIdInEnvironment() {
        environment.put("KUBETEARDOWN_RUN_ID", "not a label!");

        ExtensionConfigurationException e =
                assertThrows(ExtensionConfigurationException.class, () -> TeardownSettings.runId(sources));
        assertEquals(
                "KUBETEARDOWN_RUN_ID must be a label value (at most 63 of [A-Za-z0-9-_.], starting and ending"
                        + " alphanumeric), was \"not a label!\"",
                e.getMessage());
    }

    @Test
    @DisplayName("outside tests the environment is the process's own (PATH for the key 'path')")
    void realSourcesReadTheProcessEnvironment() {
        String path = System.getenv("PATH");
        assumeTrue(path != null && !path.isBlank(), "PATH is set");

        assertEquals(
                Optional.of(new Setting(path.trim(), "PATH")),
                Sources.of(key -> Optional.empty()).lookup("path"));
    }
}
