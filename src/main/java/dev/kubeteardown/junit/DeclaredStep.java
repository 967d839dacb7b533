package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import io.kubernetes.client.openapi.ApiClient;
import java.util.Objects;

/** One step as declared: a factory (needs the client at run time) or a step built in advance (does not). */
final class DeclaredStep {

    private final ScopedStepFactory factory;
    private final CleanupStep prebuilt;
    private final String description;

    private DeclaredStep(ScopedStepFactory factory, CleanupStep prebuilt, String description) {
        this.factory = factory;
        this.prebuilt = prebuilt;
        this.description = description;
    }

    static DeclaredStep of(ScopedStepFactory factory) {
        return new DeclaredStep(Objects.requireNonNull(factory, "step factory must not be null"), null, null);
    }

    /** A factory whose step is known by this description before it is built (what a skip says it keeps). */
    static DeclaredStep of(ScopedStepFactory factory, String description) {
        return new DeclaredStep(
                Objects.requireNonNull(factory, "step factory must not be null"),
                null,
                Objects.requireNonNull(description, "description must not be null"));
    }

    static DeclaredStep of(CleanupStep step) {
        return new DeclaredStep(null, Objects.requireNonNull(step, "cleanup step must not be null"), null);
    }

    boolean needsClient() {
        return prebuilt == null;
    }

    /**
     * Runs a built step. A custom step that returns no report is a mistake, named in the failure as {@code name}:
     * counting it as clean would hide that nothing is known.
     */
    static CleanupReport execute(CleanupStep step, String name) {
        CleanupReport report = step.execute();
        if (report == null) {
            throw new IllegalStateException(name + " returned no report (null)");
        }
        return report;
    }

    /** The step to run; a factory that returns {@code null} is a mistake, named in the failure. */
    CleanupStep create(ApiClient client, TeardownScope scope) {
        if (prebuilt != null) {
            return prebuilt;
        }
        CleanupStep step = factory.create(client, scope);
        if (step == null) {
            throw new IllegalStateException("step factory " + factory + " returned null");
        }
        return step;
    }

    /** The description, when known without a client. */
    String describe() {
        if (prebuilt != null) {
            return prebuilt.description();
        }
        if (description != null) {
            return description;
        }
        Class<?> type = factory.getClass();
        return type.isHidden() || type.isSynthetic() || type.isAnonymousClass()
                ? "a step factory"
                : type.getSimpleName();
    }

    @Override
    public String toString() {
        return describe();
    }
}
