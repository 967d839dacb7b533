package dev.kubeteardown.junit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the extension was told: where the client comes from, the steps of each phase in order, mode and policy as
 * declared (before the configuration parameters). Immutable; every {@code with} returns a new plan.
 *
 * @param declaredBy {@code extension} or {@code @KubeTeardown}, for the log
 * @param onShutdown whether the after-all steps also run from a JVM shutdown hook while the class runs
 * @param namespace  the namespace created per test or per class, {@code null} for none
 */
record TeardownPlan(
        ClientSource client,
        Map<Phase, List<DeclaredStep>> phases,
        CleanupMode mode,
        FailurePolicy policy,
        String declaredBy,
        boolean onShutdown,
        NamespaceLifecycle namespace) {

    TeardownPlan {
        Objects.requireNonNull(client, "client source");
        Map<Phase, List<DeclaredStep>> copy = new EnumMap<>(Phase.class);
        phases.forEach((phase, steps) -> copy.put(phase, List.copyOf(steps)));
        phases = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(declaredBy, "declaredBy");
    }

    static TeardownPlan of(ClientSource client) {
        return new TeardownPlan(client, Map.of(), CleanupMode.DEFAULT, null, "extension", false, null);
    }

    List<DeclaredStep> steps(Phase phase) {
        return phases.getOrDefault(phase, List.of());
    }

    TeardownPlan plus(Phase phase, List<DeclaredStep> steps) {
        List<DeclaredStep> joined = new ArrayList<>(steps(phase));
        joined.addAll(steps);
        Map<Phase, List<DeclaredStep>> updated = new EnumMap<>(Phase.class);
        updated.putAll(phases);
        updated.put(phase, joined);
        return new TeardownPlan(client, updated, mode, policy, declaredBy, onShutdown, namespace);
    }

    TeardownPlan withMode(CleanupMode newMode) {
        return new TeardownPlan(
                client,
                phases,
                Objects.requireNonNull(newMode, "mode must not be null"),
                policy,
                declaredBy,
                onShutdown,
                namespace);
    }

    TeardownPlan withPolicy(FailurePolicy newPolicy) {
        return new TeardownPlan(
                client,
                phases,
                mode,
                Objects.requireNonNull(newPolicy, "failure policy must not be null"),
                declaredBy,
                onShutdown,
                namespace);
    }

    TeardownPlan declaredBy(String by) {
        return new TeardownPlan(client, phases, mode, policy, by, onShutdown, namespace);
    }

    TeardownPlan withOnShutdown(boolean enabled) {
        return new TeardownPlan(client, phases, mode, policy, declaredBy, enabled, namespace);
    }

    TeardownPlan withNamespace(NamespaceLifecycle lifecycle) {
        return new TeardownPlan(client, phases, mode, policy, declaredBy, onShutdown, lifecycle);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("client from ").append(client);
        for (Phase phase : Phase.values()) {
            sb.append(", ").append(phase).append(' ').append(steps(phase));
        }
        return sb.append(", mode ")
                .append(mode)
                .append(", policy ")
                .append(policy == null ? "default" : policy)
                .append(onShutdown ? ", on shutdown" : "")
                .append(namespace == null ? "" : ", " + namespace)
                .toString();
    }
}
