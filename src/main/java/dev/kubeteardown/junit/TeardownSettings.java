package dev.kubeteardown.junit;

import dev.kubeteardown.RunLabels;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The mode and policy in force for one run, and where each came from (for the log). The only place the extension's
 * settings are read.
 *
 * <p>Each setting has a key ({@value KubeTeardownExtension#CLEANUP_MODE_PROPERTY},
 * {@value KubeTeardownExtension#FAILURE_POLICY_PROPERTY}, {@value KubeTeardownExtension#RUN_ID_PROPERTY}) and an
 * environment variable named after it by {@link #environmentVariable}: upper case, dots to underscores
 * ({@code KUBETEARDOWN_CLEANUP_MODE}, {@code KUBETEARDOWN_FAILURE_POLICY}, {@code KUBETEARDOWN_RUN_ID}). Precedence,
 * highest first:
 *
 * <ol>
 *   <li>the JUnit configuration parameter of that key ({@code junit-platform.properties}, the launcher);
 *   <li>the system property of that key ({@code -Dkubeteardown.cleanup.mode=on_success}), read even when JUnit's
 *       implicit configuration parameters are off (EngineTestKit and some launchers disable them);
 *   <li>the environment variable ({@code KUBETEARDOWN_CLEANUP_MODE=on_success}), for CI jobs and build tools that do
 *       not pass system properties on to the test JVM;
 *   <li>the value set in code ({@link KubeTeardownExtension#mode}, {@link KubeTeardown#mode()}, and the same for the
 *       policy; not {@code DEFAULT});
 *   <li>the built-in default: {@link #DEFAULT_MODE}, {@link #DEFAULT_POLICY}, the run id of
 *       {@link RunLabels#current()}.
 * </ol>
 *
 * The first three override code on purpose: they are how a laptop keeps a failed test's objects while CI always
 * cleans, without editing tests. Values are trimmed and a blank one counts as unset. A value that is set but invalid
 * is an {@link ExtensionConfigurationException} naming where it was found (the key or the variable), never a silent
 * fall-through to the next source.
 */
record TeardownSettings(CleanupMode mode, String modeSource, FailurePolicy policy, String policySource) {

    /** Without parameter or a value in code. */
    static final CleanupMode DEFAULT_MODE = CleanupMode.ALWAYS;

    static final FailurePolicy DEFAULT_POLICY = FailurePolicy.FAIL;

    /**
     * Resolves the settings of one run.
     *
     * @param declaredBy where the declared values come from, for the log ({@code extension}, {@code @KubeTeardown})
     * @throws ExtensionConfigurationException when a setting is a value that is not a constant of its enum
     */
    static TeardownSettings resolve(
            ExtensionContext context, CleanupMode declaredMode, FailurePolicy declaredPolicy, String declaredBy) {
        return resolve(Sources.of(context), declaredMode, declaredPolicy, declaredBy);
    }

    static TeardownSettings resolve(
            Sources sources, CleanupMode declaredMode, FailurePolicy declaredPolicy, String declaredBy) {
        CleanupMode mode = DEFAULT_MODE;
        String modeSource = "default";
        if (declaredMode != null && declaredMode != CleanupMode.DEFAULT) {
            mode = declaredMode;
            modeSource = declaredBy;
        }
        Optional<Setting> modeSetting = sources.lookup(KubeTeardownExtension.CLEANUP_MODE_PROPERTY);
        Optional<CleanupMode> modeOverride =
                modeSetting.map(s -> s.as(CleanupMode.class)).filter(m -> m != CleanupMode.DEFAULT);
        if (modeOverride.isPresent()) {
            mode = modeOverride.get();
            modeSource = modeSetting.get().source();
        }
        FailurePolicy policy = declaredPolicy == null ? DEFAULT_POLICY : declaredPolicy;
        String policySource = declaredPolicy == null ? "default" : declaredBy;
        Optional<Setting> policySetting = sources.lookup(KubeTeardownExtension.FAILURE_POLICY_PROPERTY);
        if (policySetting.isPresent()) {
            policy = policySetting.get().as(FailurePolicy.class);
            policySource = policySetting.get().source();
        }
        return new TeardownSettings(mode, modeSource, policy, policySource);
    }

    /** The run id: {@value KubeTeardownExtension#RUN_ID_PROPERTY} when set (checked as a label value), else random. */
    static String runId(ExtensionContext context) {
        return runId(Sources.of(context));
    }

    static String runId(Sources sources) {
        Optional<Setting> configured = sources.lookup(KubeTeardownExtension.RUN_ID_PROPERTY);
        if (configured.isEmpty()) {
            return RunLabels.current().id(); // one run per JVM, shared with the engine's sweep
        }
        try {
            TeardownScope.requireLabelValue(
                    configured.get().source(), configured.get().value());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(e.getMessage(), e);
        }
        return configured.get().value();
    }

    /** The environment variable read for a key: upper case, dots to underscores ({@code KUBETEARDOWN_RUN_ID}). */
    static String environmentVariable(String key) {
        return RunLabels.environmentVariable(key);
    }

    /** A value that is set, and the name it was found under: the key, or the environment variable. */
    record Setting(String value, String source) {

        /** Case-insensitive, '-' read as '_'; anything that is not a constant is an error naming the source. */
        <E extends Enum<E>> E as(Class<E> type) {
            String name = value.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(name)) {
                    return constant;
                }
            }
            String allowed =
                    Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
            throw new ExtensionConfigurationException(
                    source + " must be one of " + allowed + ", was \"" + value + "\"");
        }
    }

    /**
     * Where settings are read, highest precedence first: configuration parameters, system properties, the
     * environment. Each is a function, so tests pass maps instead of changing the JVM's properties or its
     * environment (which cannot be changed from within the JVM).
     */
    // for testing: the components are the seam
    record Sources(
            Function<String, Optional<String>> parameters,
            UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {

        Sources {
            Objects.requireNonNull(parameters, "parameters");
            Objects.requireNonNull(systemProperties, "systemProperties");
            Objects.requireNonNull(environment, "environment");
        }

        /** The test's configuration parameters, this JVM's system properties and its environment. */
        static Sources of(ExtensionContext context) {
            return of(context::getConfigurationParameter);
        }

        /** These configuration parameters, this JVM's system properties and its environment. */
        static Sources of(Function<String, Optional<String>> parameters) {
            return new Sources(parameters, System::getProperty, System::getenv);
        }

        /** The first source that sets {@code key}: its trimmed value; blank counts as unset. */
        Optional<Setting> lookup(String key) {
            String variable = environmentVariable(key);
            return set(parameters.apply(key).orElse(null), key)
                    .or(() -> set(systemProperties.apply(key), key))
                    .or(() -> set(environment.apply(variable), variable));
        }

        private static Optional<Setting> set(String value, String source) {
            return Optional.ofNullable(value)
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(v -> new Setting(v, source));
        }
    }

    @Override
    public String toString() {
        return "mode " + mode + " (" + modeSource + "), policy " + policy + " (" + policySource + ")";
    }
}
