package dev.kubeteardown.longhorn;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.CleanupPlan;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.DryRun;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A Longhorn suite's whole teardown as one {@link CleanupPlan}, in the order Longhorn's own test suite tears down:
 *
 * <pre>{@code
 * LonghornPlans.full(client).build().run();                         // everything, in order
 * LonghornPlans.backups(client).labelSelector("app=my-test").build().run();   // the backupstore only
 * }</pre>
 *
 * <p>The steps of {@link #full(ApiClient)}, each waited on until its objects are gone before the next starts:
 * <ol>
 *   <li>{@code volumes}: Longhorn deletes each volume's {@code engines} and {@code replicas} with it (they are not
 *       listed here: the volume controller owns them). Finalizer {@code longhorn.io}, removed by the volume
 *       controller once engines and replicas are gone.</li>
 *   <li>{@code snapshots}: finalizer {@code longhorn.io}, removed once the snapshot is purged from the replicas
 *       (immediately when its volume is gone).</li>
 *   <li>At the same time, as they do not depend on one another: {@code recurringjobs} (no finalizer holds them),
 *       {@code backingimages} (finalizer {@code longhorn.io}, removed once the image files are cleaned from the
 *       disks), {@code supportbundles} (finalizer {@code longhorn.io}, removed once the bundle manager is gone),
 *       {@code systemrestores} (finalizer {@code longhorn.io}) and {@code orphans} (finalizer {@code longhorn.io},
 *       removed once the orphaned data is deleted).</li>
 *   <li>The {@linkplain #backups(ApiClient) backups plan}.</li>
 * </ol>
 *
 * <p>The steps of {@link #backups(ApiClient)}:
 * <ol>
 *   <li>{@code backupvolumes} ({@link BackupstoreCleanup}), a barrier: unless every backup volume is gone, the
 *       steps after it are {@code SKIPPED}. Finalizer {@code longhorn.io}, removed once the volume's data is
 *       deleted from the backupstore; Longhorn then deletes its backups (from 1.8 by garbage collection).</li>
 *   <li>{@code systembackups}: finalizer {@code longhorn.io}, removed once the system backup is deleted from the
 *       backupstore.</li>
 *   <li>{@code backups} ({@link BackupCleanup}): what the cascade left (failed backups without an owner); a 404
 *       because Longhorn removed a backup first is {@code ALREADY_GONE}. Finalizer {@code longhorn.io}, removed
 *       once the backup is deleted from the backupstore.</li>
 *   <li>{@code backupbackingimages}: finalizer {@code longhorn.io}, removed once the backing image backup is
 *       deleted from the backupstore.</li>
 * </ol>
 *
 * <p>Every step takes the same options: namespace ({@value Longhorn#DEFAULT_NAMESPACE} by default), label
 * selector, timeout (the whole plan's deadline, and each step's), parallelism and dry run. A type the cluster does
 * not serve (an older or newer Longhorn) is {@code SKIPPED}, never an error. The plans are also shipped as plan
 * files to copy and edit: {@value #FULL_PLAN_RESOURCE} and {@value #BACKUPS_PLAN_RESOURCE} on the classpath.
 */
public final class LonghornPlans {

    /** The full plan as a plan file, on the classpath. */
    public static final String FULL_PLAN_RESOURCE = "/dev/kubeteardown/longhorn/full-plan.yaml";
    /** The backups plan as a plan file, on the classpath. */
    public static final String BACKUPS_PLAN_RESOURCE = "/dev/kubeteardown/longhorn/backups-plan.yaml";

    /** The types the full plan deletes before the backups plan, in order; an inner list runs in parallel. */
    static final List<List<String>> BEFORE_BACKUPS = List.of(
            List.of("volumes"),
            List.of("snapshots"),
            List.of("recurringjobs", "backingimages", "supportbundles", "systemrestores", "orphans"));
    /** The backups plan's types after its first step (backup volumes, a barrier), in order. */
    static final List<String> AFTER_BACKUP_VOLUMES = List.of("systembackups", "backups", "backupbackingimages");

    private LonghornPlans() {}

    /** Backup volumes (a barrier), then system backups, the remaining backups and backup backing images. */
    public static Builder backups(ApiClient client) {
        return new Builder(client, false);
    }

    /** Volumes and everything that hangs off them, then the {@linkplain #backups(ApiClient) backups plan}. */
    public static Builder full(ApiClient client) {
        return new Builder(client, true);
    }

    /** The options every step of a Longhorn plan shares. */
    public static final class Builder {

        private final ApiClient client;
        private final boolean full;
        private String namespace = Longhorn.DEFAULT_NAMESPACE;
        private String labelSelector;
        private Duration timeout = Duration.ofSeconds(CleanupPlan.DEFAULT_TIMEOUT_SECONDS);
        private Integer parallelism;
        private DryRun dryRun = DryRun.OFF;
        private String apiVersion;
        private Duration verifyAfter;

        private Builder(ApiClient client, boolean full) {
            this.client = Objects.requireNonNull(client, "client must not be null");
            this.full = full;
        }

        /** Objects in this namespace only; default {@value Longhorn#DEFAULT_NAMESPACE}. */
        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace, "namespace must not be null (use allNamespaces())");
            return this;
        }

        /** Objects in every namespace. */
        public Builder allNamespaces() {
            this.namespace = null;
            return this;
        }

        /** Only objects matching this label selector, in every step. */
        public Builder labelSelector(String selector) {
            this.labelSelector = selector;
            return this;
        }

        /** Deadline of the whole plan, and of each step; default {@value CleanupPlan#DEFAULT_TIMEOUT_SECONDS} s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout must not be null");
            return this;
        }

        /**
         * Fixes the concurrent deletes within each step; by default each step adapts, starting at
         * {@value CleanupBuilder#DEFAULT_PARALLELISM}.
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** {@code true}: list and report {@code WOULD_DELETE} in every step, send no mutating request. */
        public Builder dryRun(boolean dryRun) {
            return dryRun(dryRun ? DryRun.CLIENT : DryRun.OFF);
        }

        /** Client-side or server-side dry run; default {@link DryRun#OFF}. */
        public Builder dryRun(DryRun dryRun) {
            this.dryRun = Objects.requireNonNull(dryRun, "dryRun must not be null");
            return this;
        }

        /**
         * The Longhorn API version of every step; default: the version the cluster serves ({@code v1beta2}, else
         * {@code v1beta1}).
         */
        public Builder apiVersion(String apiVersion) {
            this.apiVersion = Objects.requireNonNull(apiVersion, "apiVersion must not be null");
            return this;
        }

        /** See {@link CleanupPlan.Builder#verifyAfter(Duration)}: off by default. */
        public Builder verifyAfter(Duration grace) {
            this.verifyAfter = Objects.requireNonNull(grace, "grace must not be null");
            return this;
        }

        /** Checks every option (naming a bad one) and builds the plan. */
        public CleanupPlan build() {
            CleanupPlan.Builder plan = CleanupPlan.builder(client)
                    .name(full ? "Longhorn full teardown" : "Longhorn backups teardown")
                    .timeout(timeout);
            if (full) {
                for (List<String> stage : BEFORE_BACKUPS) {
                    plan.parallel(stage.stream().map(this::step).toArray(CleanupStep[]::new));
                }
            }
            plan.step(configure(BackupstoreCleanup.builder(client)).build()).barrier();
            for (String plural : AFTER_BACKUP_VOLUMES) {
                plan.step(
                        plural.equals("backups")
                                ? configure(BackupCleanup.builder(client)).build()
                                : step(plural));
            }
            if (verifyAfter != null) {
                plan.verifyAfter(verifyAfter);
            }
            return plan.build();
        }

        private CleanupStep step(String plural) {
            return configure(LonghornTypeCleanup.builder(client, plural)).build();
        }

        /** The options every step shares, applied to one step's builder. */
        private <B extends LonghornCleanupBuilder<B>> B configure(B builder) {
            B configured = namespace == null ? builder.allNamespaces() : builder.namespace(namespace);
            configured.labelSelector(labelSelector).timeout(timeout).dryRun(dryRun);
            if (apiVersion != null) {
                configured.apiVersion(apiVersion);
            }
            if (parallelism != null) {
                configured.parallelism(parallelism);
            }
            return configured;
        }
    }
}
