package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Deletes namespaces and waits until they are really gone: one outcome per namespace. A namespace still
 * {@code Terminating} at the deadline is {@code STUCK}, and its detail says why: the namespace's own
 * {@code status.conditions} ({@code NamespaceContentRemaining}, {@code NamespaceFinalizersRemaining},
 * {@code NamespaceDeletionDiscoveryFailure}, ...) and what is still inside, found through
 * {@linkplain ApiDiscovery discovery}: each remaining object's type, name and finalizers (the first
 * {@value NamespaceDiagnosis#MAX_LISTED}, then a count).
 *
 * <pre>{@code
 * NamespaceCleanup.builder(client).names("test-ns-1", "test-ns-2").timeout(Duration.ofMinutes(2)).build().run();
 * }</pre>
 *
 * <p>A named namespace that does not exist is {@code ALREADY_GONE}. The scope is always explicit: names, a label
 * selector, or both; a cleanup of every namespace cannot be built.
 */
public final class NamespaceCleanup implements CleanupStep {

    /** The {@code namespaces} resource type: core group, cluster-scoped. */
    public static final ResourceType NAMESPACES = ResourceType.clusterScoped("", "v1", "namespaces");
    /** How long the diagnosis of stuck namespaces may take after the deadline: {@value #DIAGNOSIS_SECONDS} s. */
    public static final long DIAGNOSIS_SECONDS = 15;

    private final ApiClient client;
    private final Cleanup cleanup;
    private final Set<String> names;

    private NamespaceCleanup(ApiClient client, Cleanup cleanup, Set<String> names) {
        this.client = client;
        this.cleanup = cleanup;
        this.names = names;
    }

    /** A cleanup of namespaces chosen by {@link Builder#names} and/or {@link Builder#labelSelector}. */
    public static Builder builder(ApiClient client) {
        return new Builder(client);
    }

    @Override
    public CleanupReport execute() {
        return explained(cleanup.execute());
    }

    @Override
    public CleanupReport executeWithin(Duration budget) {
        return explained(cleanup.executeWithin(budget));
    }

    /** The report with each STUCK namespace's detail saying why, and the named namespaces that did not exist. */
    private CleanupReport explained(CleanupReport report) {
        List<Outcome> outcomes = new ArrayList<>();
        Set<String> missing = new LinkedHashSet<>(names);
        List<Outcome> stuck = new ArrayList<>();
        for (Outcome o : report.outcomes()) {
            missing.remove(o.name());
            if (o.status() == Outcome.Status.STUCK) {
                stuck.add(o);
            }
        }
        List<String> explained = new NamespaceDiagnosis(client, cleanup.spec().hooks())
                .explain(stuck.stream().map(Outcome::name).toList());
        int next = 0;
        for (Outcome o : report.outcomes()) {
            outcomes.add(
                    o.status() == Outcome.Status.STUCK
                            ? o.withStatus(Outcome.Status.STUCK, o.detail() + "; " + explained.get(next++))
                            : o);
        }
        for (String name : missing) {
            outcomes.add(new Outcome(
                    NAMESPACES.qualifiedName(),
                    null,
                    name,
                    "",
                    Outcome.Status.ALREADY_GONE,
                    "namespace \"" + name + "\" does not exist: nothing to delete",
                    0,
                    Duration.ZERO,
                    404,
                    List.of(),
                    null));
        }
        CleanupReport withGone =
                new CleanupReport(report.resource(), report.scope(), outcomes, report.duration(), report.notes());
        return report.parallelism().map(withGone::withParallelism).orElse(withGone);
    }

    @Override
    public String description() {
        return cleanup.description();
    }

    @Override
    public List<Cleanup> cleanups() {
        return List.of(cleanup);
    }

    @Override
    public String toString() {
        return "NamespaceCleanup[" + description() + "]";
    }

    /** Options of a namespace cleanup. */
    public static final class Builder {

        private final ApiClient client;
        private final Set<String> names = new LinkedHashSet<>();
        private String labelSelector;
        private Duration timeout = Duration.ofSeconds(CleanupBuilder.DEFAULT_TIMEOUT_SECONDS);
        private DryRun dryRun = DryRun.OFF;
        private Integer parallelism;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Ticker ticker = Ticker.SYSTEM;

        private Builder(ApiClient client) {
            this.client = Objects.requireNonNull(client, "client must not be null");
        }

        /** These namespaces (each a DNS label); may be combined with a label selector. */
        public Builder names(String... names) {
            Objects.requireNonNull(names, "names must not be null");
            Arrays.stream(names).forEach(name -> {
                if (!KubernetesNames.isDnsLabel(name)) {
                    throw new IllegalArgumentException(
                            "namespace name must be a lower-case DNS label, was \"" + name + "\"");
                }
                this.names.add(name);
            });
            return this;
        }

        /** The namespaces matching this label selector (with {@link #names}: those of the names that match). */
        public Builder labelSelector(String selector) {
            this.labelSelector = selector;
            return this;
        }

        /** Deadline of the deletion and the wait; default {@value CleanupBuilder#DEFAULT_TIMEOUT_SECONDS} s. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** {@code true}: report {@code WOULD_DELETE}, send no mutating request. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun ? DryRun.CLIENT : DryRun.OFF;
            return this;
        }

        /** Fixes the concurrent deletes; by default adaptive from {@value CleanupBuilder#DEFAULT_PARALLELISM}. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        // for testing
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper);
            return this;
        }

        // for testing
        Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker);
            return this;
        }

        /** Checks the options (naming a bad one) and builds the step. */
        public NamespaceCleanup build() {
            LabelSelector selector = LabelSelector.parse(labelSelector);
            if (names.isEmpty() && selector.isEverything()) {
                throw new IllegalArgumentException(
                        "a namespace cleanup needs names(...) or a non-empty labelSelector(...): it never deletes every"
                                + " namespace");
            }
            Cleanup.Builder builder = Cleanup.builder(client, NAMESPACES)
                    .labelSelector(labelSelector)
                    .timeout(timeout)
                    .dryRun(dryRun)
                    .sleeper(sleeper)
                    .ticker(ticker);
            if (names.size() == 1) {
                builder.fieldSelector("metadata.name=" + names.iterator().next());
            }
            if (!names.isEmpty()) {
                Set<String> chosen = Set.copyOf(names);
                builder.names(chosen::contains);
            }
            if (parallelism != null) {
                builder.parallelism(parallelism);
            }
            return new NamespaceCleanup(
                    client, builder.build(), Collections.unmodifiableSet(new LinkedHashSet<>(names)));
        }
    }
}
