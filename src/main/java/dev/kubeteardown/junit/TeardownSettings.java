package dev.kubeteardown.junit;

import dev.kubeteardown.RunLabels;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The mode and policy in force for one run, and where each came from (for the log). The only place the
 * configuration parameters are read: parameter (else the system property of that name), else the value set in
 * code, else the built-in default.
 */
record TeardownSettings(CleanupMode mode, String modeSource, FailurePolicy policy, String policySource) {

    /** Without parameter or a value in code. */
    static final CleanupMode DEFAULT_MODE = CleanupMode.ALWAYS;

    static final FailurePolicy DEFAULT_POLICY = FailurePolicy.FAIL;

    /**
     * Resolves the settings of one run.
     *
     * @param declaredBy where the declared values come from, for the log ({@code extension}, {@code @KubeTeardown})
     * @throws ExtensionConfigurationException when a parameter is set to a value that is not a constant of its enum
     */
    static TeardownSettings resolve(
            ExtensionContext context, CleanupMode declaredMode, FailurePolicy declaredPolicy, String declaredBy) {
        CleanupMode mode = DEFAULT_MODE;
        String modeSource = "default";
        if (declaredMode != null && declaredMode != CleanupMode.DEFAULT) {
            mode = declaredMode;
            modeSource = declaredBy;
        }
        Optional<CleanupMode> modeParameter = parameter(
                        context, KubeTeardownExtension.CLEANUP_MODE_PROPERTY, CleanupMode.class)
                .filter(m -> m != CleanupMode.DEFAULT);
        if (modeParameter.isPresent()) {
            mode = modeParameter.get();
            modeSource = KubeTeardownExtension.CLEANUP_MODE_PROPERTY;
        }
        FailurePolicy policy = declaredPolicy == null ? DEFAULT_POLICY : declaredPolicy;
        String policySource = declaredPolicy == null ? "default" : declaredBy;
        Optional<FailurePolicy> policyParameter =
                parameter(context, KubeTeardownExtension.FAILURE_POLICY_PROPERTY, FailurePolicy.class);
        if (policyParameter.isPresent()) {
            policy = policyParameter.get();
            policySource = KubeTeardownExtension.FAILURE_POLICY_PROPERTY;
        }
        return new TeardownSettings(mode, modeSource, policy, policySource);
    }

    /** Case-insensitive, '-' read as '_', blank as unset; anything else that is not a constant is an error. */
    static <E extends Enum<E>> Optional<E> parameter(ExtensionContext context, String key, Class<E> type) {
        Optional<String> raw = raw(context, key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String name = raw.get().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(name)) {
                return Optional.of(constant);
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
        throw new ExtensionConfigurationException(key + " must be one of " + allowed + ", was \"" + raw.get() + "\"");
    }

    /** The run id: {@value KubeTeardownExtension#RUN_ID_PROPERTY} when set (checked as a label value), else random. */
    static String runId(ExtensionContext context) {
        Optional<String> configured = raw(context, KubeTeardownExtension.RUN_ID_PROPERTY);
        if (configured.isEmpty()) {
            return RunLabels.current().id(); // one run per JVM, shared with the engine's sweep
        }
        try {
            TeardownScope.requireLabelValue(KubeTeardownExtension.RUN_ID_PROPERTY, configured.get());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(e.getMessage(), e);
        }
        return configured.get();
    }

    /**
     * The configuration parameter, else the system property of the same name; trimmed, blank as unset. JUnit
     * consults system properties only while its implicit configuration parameters are enabled (EngineTestKit and
     * some launchers disable them), and {@code -Dkubeteardown.cleanup.mode=...} must work everywhere. An explicit
     * parameter wins: it is the more specific setting.
     */
    static Optional<String> raw(ExtensionContext context, String key) {
        Optional<String> parameter =
                context.getConfigurationParameter(key).map(String::trim).filter(s -> !s.isEmpty());
        if (parameter.isPresent()) {
            return parameter;
        }
        return Optional.ofNullable(System.getProperty(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    @Override
    public String toString() {
        return "mode " + mode + " (" + modeSource + "), policy " + policy + " (" + policySource + ")";
    }
}
