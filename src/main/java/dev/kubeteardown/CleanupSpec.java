package dev.kubeteardown;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** Everything one cleanup is configured with; immutable, validated by the builder. */
record CleanupSpec(
        ResourceType type,
        String namespace,
        LabelSelector labels,
        FieldSelector fields,
        Predicate<String> names,
        Duration timeout,
        Duration requestTimeout,
        int parallelism,
        int pageSize,
        DryRun dryRun,
        PropagationPolicy propagation,
        Duration gracePeriod,
        Backoff backoff,
        WaitStrategy waitStrategy,
        Map<String, String> labelsBeforeDelete,
        MissingPolicy ifResourceMissing,
        MissingPolicy ifNamespaceMissing,
        Duration removeFinalizersAfterDeadline,
        CleanupListener listener,
        Sleeper sleeper,
        Ticker ticker) {

    /** The same spec narrowed by one more label selector (sweeps narrow a scope to one run); never widened. */
    CleanupSpec narrowedBy(LabelSelector selector) {
        return new CleanupSpec(
                type,
                namespace,
                labels.and(selector),
                fields,
                names,
                timeout,
                requestTimeout,
                parallelism,
                pageSize,
                dryRun,
                propagation,
                gracePeriod,
                backoff,
                waitStrategy,
                labelsBeforeDelete,
                ifResourceMissing,
                ifNamespaceMissing,
                removeFinalizersAfterDeadline,
                listener,
                sleeper,
                ticker);
    }

    /**
     * The scope in which "is it still there?" is asked: the namespace only. An object that leaves the selectors
     * (relabelled while a finalizer holds it) is still there, and a selector-filtered list or watch would call it gone.
     */
    CleanupSpec presenceScope() {
        return new CleanupSpec(
                type,
                namespace,
                LabelSelector.EVERYTHING,
                FieldSelector.EVERYTHING,
                null,
                timeout,
                requestTimeout,
                parallelism,
                pageSize,
                dryRun,
                propagation,
                gracePeriod,
                backoff,
                waitStrategy,
                labelsBeforeDelete,
                ifResourceMissing,
                ifNamespaceMissing,
                removeFinalizersAfterDeadline,
                listener,
                sleeper,
                ticker);
    }

    /** The namespace requests go to: {@code null} for all namespaces and for cluster-scoped types. */
    String requestNamespace() {
        return type.namespaced() ? namespace : null;
    }

    /** The scope in words, e.g. {@code namespace longhorn-system, labels backup-volume=vol-1}. */
    String scopeDescription() {
        StringBuilder sb = new StringBuilder();
        if (!type.namespaced()) {
            sb.append("cluster scope");
        } else if (namespace == null) {
            sb.append("all namespaces");
        } else {
            sb.append("namespace ").append(namespace);
        }
        if (!labels.isEverything()) {
            sb.append(", labels ").append(labels);
        }
        if (!fields.isEverything()) {
            sb.append(", fields ").append(fields);
        }
        if (names != null) {
            sb.append(", names filtered");
        }
        return sb.toString();
    }

    String description() {
        return type + " in " + scopeDescription();
    }
}
