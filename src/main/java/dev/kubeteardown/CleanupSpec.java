package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Everything one cleanup is configured with, grouped by concern; immutable, validated by the builder. An option
 * lives in exactly one group, so adding one touches its group, its builder setter and the stage that reads it.
 */
record CleanupSpec(
        Scope scope, Timing timing, Limits limits, DeleteOptions delete, WhenMissing whenMissing, Hooks hooks) {

    /**
     * Which objects a run is about. {@code namespace} is {@code null} for all namespaces and cluster-scoped types.
     * {@code servedVersions}, when not empty, are the versions of {@code type}'s group to use instead of its own,
     * the first the server serves (resolved at the start of each run).
     */
    record Scope(
            ResourceType type,
            String namespace,
            LabelSelector labels,
            FieldSelector fields,
            Predicate<String> names,
            List<String> servedVersions) {

        /** The same scope narrowed by one more label selector (sweeps narrow a scope to one run); never widened. */
        Scope narrowedBy(LabelSelector selector) {
            return new Scope(type, namespace, labels.and(selector), fields, names, servedVersions);
        }

        /**
         * The scope in which "is it still there?" is asked: the namespace only. An object that leaves the selectors
         * (relabelled while a finalizer holds it) is still there, and a selector-filtered list or watch would call
         * it gone.
         */
        Scope presence() {
            return new Scope(type, namespace, LabelSelector.EVERYTHING, FieldSelector.EVERYTHING, null, servedVersions);
        }

        /** The namespace requests go to: {@code null} for all namespaces and for cluster-scoped types. */
        String requestNamespace() {
            return type.namespaced() ? namespace : null;
        }

        /** The scope in words, e.g. {@code namespace longhorn-system, labels backup-volume=vol-1}. */
        String describe() {
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
    }

    /** How long a run and each of its requests may take, how it retries and how it waits. */
    record Timing(Duration timeout, Duration requestTimeout, Backoff backoff, WaitStrategy waitStrategy) {}

    /**
     * How much a run asks of the server at once: {@code parallelism} deletes, or starting there and adapting when
     * {@code adaptive}.
     */
    record Limits(int parallelism, boolean adaptive, int pageSize) {

        /** The limit a run's deletes are held to. */
        ConcurrencyLimit concurrencyLimit(Ticker ticker) {
            return adaptive ? ConcurrencyLimit.adaptive(parallelism, ticker) : ConcurrencyLimit.fixed(parallelism);
        }
    }

    /** What each delete carries and what a run may do beyond deleting. */
    record DeleteOptions(
            DryRun dryRun,
            PropagationPolicy propagation,
            Duration gracePeriod,
            Map<String, String> labelsBeforeDelete,
            Duration removeFinalizersAfterDeadline) {}

    /** What a run does when its resource type is not served or its namespace does not exist. */
    record WhenMissing(MissingPolicy resource, MissingPolicy namespace) {}

    /** What a run calls out to: the caller's listener, and the clock and sleeps tests drive. */
    record Hooks(CleanupListener listener, Sleeper sleeper, Ticker ticker) {}

    /**
     * When the builder asked for a served version (see {@link CleanupBuilder#preferServedVersion}) and the server
     * does not serve this spec's version: the same spec at the first of those versions it does serve. Empty
     * otherwise, and when the server cannot tell.
     */
    Optional<CleanupSpec> servedElsewhere(ApiClient client) {
        if (scope.servedVersions().isEmpty()) {
            return Optional.empty();
        }
        ResourceType type = scope.type();
        Optional<String> version;
        try {
            version = ApiDiscovery.of(client)
                    .servedVersion(type.group(), scope.servedVersions().toArray(String[]::new));
        } catch (KubeTeardownException e) {
            LoggerFactory.getLogger(Cleanup.class)
                    .debug("cannot tell which version of {} is served: {}", type.group(), e.getMessage());
            return Optional.empty();
        }
        return version.filter(v -> !v.equals(type.version()))
                .map(v -> withScope(new Scope(
                        new ResourceType(type.group(), v, type.plural(), type.namespaced()),
                        scope.namespace(),
                        scope.labels(),
                        scope.fields(),
                        scope.names(),
                        List.of())));
    }

    /** The same spec for another resource type (an all-types sweep runs one spec per served type). */
    CleanupSpec withType(ResourceType type) {
        return withScope(new Scope(type, scope.namespace(), scope.labels(), scope.fields(), scope.names(), List.of()));
    }

    /** The same spec with its scope narrowed by one more label selector; never widened. */
    CleanupSpec narrowedBy(LabelSelector selector) {
        return withScope(scope.narrowedBy(selector));
    }

    /** The same spec asking "is it still there?" in the namespace only; see {@link Scope#presence()}. */
    CleanupSpec presenceScope() {
        return withScope(scope.presence());
    }

    /** The same spec whose timeout is at most {@code budget} (and at least a millisecond). */
    CleanupSpec withTimeoutAtMost(Duration budget) {
        if (budget.compareTo(timing.timeout()) >= 0) {
            return this;
        }
        Duration timeout = budget.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : budget;
        return new CleanupSpec(
                scope,
                new Timing(timeout, timing.requestTimeout(), timing.backoff(), timing.waitStrategy()),
                limits,
                delete,
                whenMissing,
                hooks);
    }

    private CleanupSpec withScope(Scope narrowed) {
        return new CleanupSpec(narrowed, timing, limits, delete, whenMissing, hooks);
    }

    ResourceType type() {
        return scope.type();
    }

    /** The namespace requests go to: {@code null} for all namespaces and for cluster-scoped types. */
    String requestNamespace() {
        return scope.requestNamespace();
    }

    /** The scope in words, e.g. {@code namespace longhorn-system, labels backup-volume=vol-1}. */
    String scopeDescription() {
        return scope.describe();
    }

    String description() {
        return type() + " in " + scopeDescription();
    }

    DryRun dryRun() {
        return delete.dryRun();
    }
}
