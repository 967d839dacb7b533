package dev.kubeteardown.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the extension was told: where the client comes from, the steps of each phase in order, mode and policy as
 * declared (before the configuration parameters). Immutable; every {@code with} returns a new plan.
 *
 * @param declaredBy {@code extension} or {@code @KubeTeardown}, for the log
 */
record TeardownPlan(ClientSource client, List<DeclaredStep> afterEach, List<DeclaredStep> afterAll, CleanupMode mode,
        FailurePolicy policy, String declaredBy) {

    TeardownPlan {
        Objects.requireNonNull(client, "client source");
        afterEach = List.copyOf(afterEach);
        afterAll = List.copyOf(afterAll);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(declaredBy, "declaredBy");
    }

    static TeardownPlan of(ClientSource client) {
        return new TeardownPlan(client, List.of(), List.of(), CleanupMode.DEFAULT, null, "extension");
    }

    List<DeclaredStep> steps(Phase phase) {
        return phase == Phase.AFTER_EACH ? afterEach : afterAll;
    }

    TeardownPlan plus(Phase phase, List<DeclaredStep> steps) {
        List<DeclaredStep> joined = new ArrayList<>(steps(phase));
        joined.addAll(steps);
        return phase == Phase.AFTER_EACH
                ? new TeardownPlan(client, joined, afterAll, mode, policy, declaredBy)
                : new TeardownPlan(client, afterEach, joined, mode, policy, declaredBy);
    }

    TeardownPlan withMode(CleanupMode newMode) {
        return new TeardownPlan(client, afterEach, afterAll, Objects.requireNonNull(newMode, "mode must not be null"),
                policy, declaredBy);
    }

    TeardownPlan withPolicy(FailurePolicy newPolicy) {
        return new TeardownPlan(client, afterEach, afterAll, mode,
                Objects.requireNonNull(newPolicy, "failure policy must not be null"), declaredBy);
    }

    TeardownPlan declaredBy(String by) {
        return new TeardownPlan(client, afterEach, afterAll, mode, policy, by);
    }

    @Override
    public String toString() {
        return "client from " + client + ", afterEach " + afterEach + ", afterAll " + afterAll + ", mode " + mode
                + ", policy " + (policy == null ? "default" : policy);
    }
}
