package dev.kubeteardown.junit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what a phase did, in the log and as a JUnit report entry (so it shows in Surefire and IDE reports): one
 * INFO line for a clean run, WARN with every problem otherwise, WARN with the reason for a skip.
 */
final class TeardownReporter {

    static final Logger LOG = LoggerFactory.getLogger(KubeTeardownExtension.class);

    private TeardownReporter() {}

    /** "for BackupIT > restores()" or "for class BackupIT", as messages name what was cleaned after. */
    static String target(ExtensionContext context, Phase phase) {
        String type = context.getTestClass().map(Class::getSimpleName).orElse("?");
        return phase != Phase.AFTER_EACH || context.getTestMethod().isEmpty()
                ? "for class " + type
                : "for " + type + " > " + context.getDisplayName();
    }

    /** Reports a phase that ran. */
    static void ran(ExtensionContext context, TeardownResult result, TeardownSettings settings, String target) {
        String line = result.summary() + " " + target + " (" + settings + ")";
        if (result.isClean()) {
            LOG.info("{}", line);
        } else if (settings.policy() == FailurePolicy.WARN) {
            LOG.warn(
                    "{}; not failing the test due to FailurePolicy.WARN:\n{}",
                    line,
                    result.toException(target).getMessage());
        } else {
            LOG.warn("{}\n{}", line, result.details());
        }
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put(KubeTeardownExtension.REPORT_KEY, line);
        entry.put(KubeTeardownExtension.REPORT_KEY + ".steps", result.details());
        context.publishReportEntry(entry);
    }

    /**
     * Reports a skip, naming what is kept and why, e.g. "Skipping cleanup of backups.longhorn.io/v1beta2 in
     * namespace longhorn-system for BackupIT > restores() due to CleanupMode.ON_SUCCESS: ...".
     */
    static void skipped(
            ExtensionContext context,
            Phase phase,
            List<String> kept,
            TeardownSettings settings,
            String target,
            TeardownScope scope) {
        String why = settings.mode() == CleanupMode.NEVER
                ? "objects are kept"
                : (phase == Phase.AFTER_EACH ? "the test failed" : "a test or the class failed")
                        + ", its objects are kept for debugging";
        String line = "Skipping cleanup of " + String.join(", ", kept) + " " + target
                + " due to CleanupMode." + settings.mode() + ": " + why + " (" + phase + ", " + settings
                + "; label " + scope.selector() + ")";
        LOG.warn("{}", line);
        context.publishReportEntry(KubeTeardownExtension.REPORT_KEY, line);
    }
}
