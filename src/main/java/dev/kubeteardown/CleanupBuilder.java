package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The options every cleanup shares: scope (namespace, selectors, names), deadline, parallelism, paging, retries,
 * dry run, deletion options. Subclasses add what their resource type needs and build the step.
 *
 * <p>A builder is mutable and not thread-safe; what it builds is immutable and thread-safe. {@code build()} checks
 * every value and names the wrong one, before any request is sent.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class CleanupBuilder<B extends CleanupBuilder<B>> {

    /** Overall deadline of a run, waits included: {@value #DEFAULT_TIMEOUT_SECONDS} s. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 60;
    /** Cap on a single request, so one hung request cannot use the whole deadline: {@value #DEFAULT_REQUEST_TIMEOUT_SECONDS} s. */
    public static final long DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
    /**
     * Concurrent deletes a run starts with when {@link #parallelism(int)} is not set: {@value #DEFAULT_PARALLELISM};
     * the limit then adapts to the server's answers, between 1 and {@value #MAX_PARALLELISM}.
     */
    public static final int DEFAULT_PARALLELISM = 8;
    /** Upper bound of {@link #parallelism(int)}: each concurrent delete holds a thread and a connection. */
    public static final int MAX_PARALLELISM = 256;
    /** Objects per list page: {@value #DEFAULT_PAGE_SIZE}. */
    public static final int DEFAULT_PAGE_SIZE = 500;

    private final ApiClient client;
    private ResourceType type;
    private List<String> servedVersions = List.of();
    private String namespace;
    private String labelSelector;
    private String fieldSelector;
    private Predicate<String> names;
    private Duration timeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private Duration requestTimeout = Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_SECONDS);
    private Integer parallelism; // null: adaptive
    private int pageSize = DEFAULT_PAGE_SIZE;
    private DryRun dryRun = DryRun.OFF;
    private PropagationPolicy propagation = PropagationPolicy.BACKGROUND;
    private Duration gracePeriod;
    private Backoff backoff = Backoff.DEFAULT;
    private WaitStrategy waitStrategy = WaitStrategy.WATCH;
    private final Map<String, String> labelsBeforeDelete = new LinkedHashMap<>();
    private MissingPolicy ifResourceMissing = MissingPolicy.SKIP;
    private MissingPolicy ifNamespaceMissing = MissingPolicy.SKIP;
    private Duration removeFinalizersAfterDeadline;
    private CleanupListener listener = CleanupListener.NONE;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Ticker ticker = Ticker.SYSTEM;

    protected CleanupBuilder(ApiClient client, ResourceType type, String namespace) {
        this.client = Objects.requireNonNull(client, "client must not be null");
        this.type = type;
        this.namespace = namespace;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The client requests are sent with. */
    protected ApiClient client() {
        return client;
    }

    /** Replaces the resource type (for builders whose type depends on an option such as the API version). */
    protected B resourceType(ResourceType type) {
        this.type = Objects.requireNonNull(type, "type");
        this.servedVersions = List.of();
        return self();
    }

    /**
     * At the start of each run, use the first of these versions of the type's group that the server serves
     * (through {@link ApiDiscovery}, cached per client); the type's own version when it serves none of them or
     * cannot tell. Undone by {@link #resourceType}, which fixes the version.
     */
    protected B preferServedVersion(String... versions) {
        this.servedVersions = List.of(versions);
        return self();
    }

    /** Only objects in this namespace. Ignored for cluster-scoped types. */
    public B namespace(String namespace) {
        this.namespace = Objects.requireNonNull(namespace, "namespace must not be null (use allNamespaces())");
        return self();
    }

    /** Objects in every namespace. */
    public B allNamespaces() {
        this.namespace = null;
        return self();
    }

    /** Only objects matching this label selector (equality- and set-based, e.g. {@code backup-volume in (a,b)}). */
    public B labelSelector(String selector) {
        this.labelSelector = selector;
        return self();
    }

    /** Only objects matching this field selector (e.g. {@code metadata.name=backup-1}). */
    public B fieldSelector(String selector) {
        this.fieldSelector = selector;
        return self();
    }

    /** Only objects whose name passes this test (applied client-side, after the server's selectors). */
    public B names(Predicate<String> predicate) {
        this.names = Objects.requireNonNull(predicate, "names predicate must not be null");
        return self();
    }

    /** Overall deadline of a run, waits included; default {@value #DEFAULT_TIMEOUT_SECONDS} s. */
    public B timeout(Duration timeout) {
        this.timeout = timeout;
        return self();
    }

    /** Cap on one request; default {@value #DEFAULT_REQUEST_TIMEOUT_SECONDS} s. */
    public B requestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return self();
    }

    /**
     * Fixes the number of concurrent deletes; 1 is sequential, at most {@value #MAX_PARALLELISM}. By default it is
     * adaptive: it starts at {@value #DEFAULT_PARALLELISM}, grows while the server answers as fast, and shrinks on
     * 429 (API Priority and Fairness), 5xx, I/O errors or rising latency, within 1 and {@value #MAX_PARALLELISM};
     * {@link CleanupReport#parallelism()} says where it went.
     */
    public B parallelism(int parallelism) {
        this.parallelism = parallelism;
        return self();
    }

    /** Objects per list page ({@code limit}); default {@value #DEFAULT_PAGE_SIZE}. */
    public B pageSize(int pageSize) {
        this.pageSize = pageSize;
        return self();
    }

    /** {@code true}: list and report {@code WOULD_DELETE}, send no mutating request ({@link DryRun#CLIENT}). */
    public B dryRun(boolean dryRun) {
        return dryRun(dryRun ? DryRun.CLIENT : DryRun.OFF);
    }

    /** Client-side or server-side dry run; default {@link DryRun#OFF}. */
    public B dryRun(DryRun dryRun) {
        this.dryRun = Objects.requireNonNull(dryRun, "dryRun");
        return self();
    }

    /** How dependents are deleted; default {@link PropagationPolicy#BACKGROUND}. */
    public B propagationPolicy(PropagationPolicy policy) {
        this.propagation = Objects.requireNonNull(policy, "propagationPolicy");
        return self();
    }

    /** Grace period sent with each delete, in whole seconds (a fraction is rounded up); default: the server's. */
    public B gracePeriod(Duration gracePeriod) {
        this.gracePeriod = gracePeriod;
        return self();
    }

    /** Retry backoff and attempt limit per object; default {@link Backoff#DEFAULT}. */
    public B backoff(Backoff backoff) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        return self();
    }

    /** How to wait until deleted objects are gone; default {@link WaitStrategy#WATCH} (falls back to polling). */
    public B waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = Objects.requireNonNull(strategy, "waitStrategy");
        return self();
    }

    /** Adds a label to each object (merge patch with a UID precondition) right before deleting it. */
    public B labelBeforeDelete(String key, String value) {
        LabelSelector.parse(
                Objects.requireNonNull(key, "label key") + "=" + Objects.requireNonNull(value, "label value"));
        labelsBeforeDelete.put(key, value);
        return self();
    }

    /** Stops adding a label before deleting. */
    protected B noLabelBeforeDelete(String key) {
        labelsBeforeDelete.remove(key);
        return self();
    }

    /** When the resource type is not served (404 on list): {@link MissingPolicy#SKIP} by default. */
    public B ifResourceMissing(MissingPolicy policy) {
        this.ifResourceMissing = Objects.requireNonNull(policy, "ifResourceMissing");
        return self();
    }

    /** When the namespace does not exist: {@link MissingPolicy#SKIP} by default (nothing to clean there). */
    public B ifNamespaceMissing(MissingPolicy policy) {
        this.ifNamespaceMissing = Objects.requireNonNull(policy, "ifNamespaceMissing");
        return self();
    }

    /**
     * Escape hatch, off by default: objects still present at the deadline get their finalizers removed (a merge
     * patch checked against the resourceVersion last seen), then the run waits up to {@code grace} for them to go.
     * Use it only when the controller owning the finalizer is gone: whatever the finalizer protects (for Longhorn,
     * the backup data in the backupstore) is left behind. Each removal is logged at WARN and named in the outcome.
     */
    public B removeFinalizersAfterDeadline(Duration grace) {
        this.removeFinalizersAfterDeadline = Objects.requireNonNull(grace, "grace");
        return self();
    }

    /** Follows each run as it happens (progress displays); called from worker threads. */
    public B listener(CleanupListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return self();
    }

    // for testing: drive time without waiting
    B sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper);
        return self();
    }

    // for testing
    B ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker);
        return self();
    }

    /**
     * Checks every option (throwing {@link IllegalArgumentException} that names a bad value) and builds the
     * engine cleanup these options describe.
     */
    protected Cleanup buildCleanup() {
        return new Cleanup(client, spec());
    }

    CleanupSpec spec() {
        Objects.requireNonNull(type, "resource type must be set");
        if (type.namespaced() && namespace != null && !KubernetesNames.isDnsLabel(namespace)) {
            throw new IllegalArgumentException("namespace must be a lower-case DNS label, was \"" + namespace + "\"");
        }
        requirePositive("timeout", timeout);
        requirePositive("requestTimeout", requestTimeout);
        if (parallelism != null && parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
        }
        if (parallelism != null && parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be <= " + MAX_PARALLELISM + ", was " + parallelism);
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1, was " + pageSize);
        }
        if (gracePeriod != null && gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must be >= 0, was " + gracePeriod);
        }
        if (removeFinalizersAfterDeadline != null) {
            requirePositive("removeFinalizersAfterDeadline grace", removeFinalizersAfterDeadline);
        }
        return new CleanupSpec(
                new CleanupSpec.Scope(
                        type,
                        type.namespaced() ? namespace : null,
                        LabelSelector.parse(labelSelector),
                        FieldSelector.parse(fieldSelector),
                        names,
                        servedVersions),
                new CleanupSpec.Timing(timeout, requestTimeout, backoff, waitStrategy),
                new CleanupSpec.Limits(
                        parallelism == null ? DEFAULT_PARALLELISM : parallelism, parallelism == null, pageSize),
                new CleanupSpec.DeleteOptions(
                        dryRun,
                        propagation,
                        gracePeriod,
                        Map.copyOf(labelsBeforeDelete),
                        removeFinalizersAfterDeadline),
                new CleanupSpec.WhenMissing(ifResourceMissing, ifNamespaceMissing),
                new CleanupSpec.Hooks(listener, sleeper, ticker));
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
