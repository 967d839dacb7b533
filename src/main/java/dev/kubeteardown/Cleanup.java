package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Deletes every object of one resource type in a scope and reports what happened to each - the engine every
 * other cleanup in this library is a configuration of.
 *
 * <pre>{@code
 * CleanupReport report = Cleanup.builder(client, ResourceType.core("v1", "configmaps"))
 *         .namespace("test-ns")
 *         .labelSelector("app=my-test")
 *         .build()
 *         .run();
 * }</pre>
 *
 * <p>A run lists the scope page by page, deletes each object with a UID precondition (bounded parallelism,
 * retries with backoff on 429/5xx/I/O, never on 401/403), then waits until every deleted object is gone by UID.
 * A 404 or a failed UID precondition on delete means someone else removed the object: {@code ALREADY_GONE}.
 * Instances are immutable and thread-safe; each {@link #execute()} is an independent run.
 */
public final class Cleanup implements CleanupStep {

    private final ApiClient client;
    private final CleanupSpec spec;

    Cleanup(ApiClient client, CleanupSpec spec) {
        this.client = Objects.requireNonNull(client, "client");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** A builder for any resource type, in namespace {@code default} unless told otherwise. */
    public static Builder builder(ApiClient client, ResourceType type) {
        return new Builder(client, Objects.requireNonNull(type, "type must not be null"));
    }

    /** A builder for a namespaced custom resource type, e.g. {@code builder(client, "longhorn.io", "v1beta2", "snapshots")}. */
    public static Builder builder(ApiClient client, String group, String version, String plural) {
        return builder(client, ResourceType.namespaced(group, version, plural));
    }

    @Override
    public CleanupReport execute() {
        return CleanupRun.execute(spec, client);
    }

    /** {@link #execute()} with the timeout shortened to {@code budget} when that is shorter. */
    @Override
    public CleanupReport executeWithin(Duration budget) {
        return CleanupRun.execute(spec.withTimeoutAtMost(budget), client);
    }

    @Override
    public String description() {
        return spec.description();
    }

    /** The resource type this cleanup deletes. */
    public ResourceType resourceType() {
        return spec.type();
    }

    /** The namespace it is limited to, or {@code null} for all namespaces or a cluster-scoped type. */
    public String namespace() {
        return spec.scope().namespace();
    }

    @Override
    public List<Cleanup> cleanups() {
        return List.of(this);
    }

    CleanupSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "Cleanup[" + description() + "]";
    }

    /** Builds a {@link Cleanup}; see {@link CleanupBuilder} for the options. */
    public static final class Builder extends CleanupBuilder<Builder> {

        Builder(ApiClient client, ResourceType type) {
            super(client, type, "default");
        }

        /** Checks the options (naming any bad value) and builds an immutable, reusable cleanup. */
        public Cleanup build() {
            return buildCleanup();
        }
    }
}
