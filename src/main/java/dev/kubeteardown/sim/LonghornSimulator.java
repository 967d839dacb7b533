package dev.kubeteardown.sim;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ObjectNode;

/**
 * An in-process Longhorn cluster for tests of cleanup code: a fabric8 mock API server that answers like a
 * real kube-apiserver (Status bodies, preconditions, dry run, paging, set-based selectors, watches, RBAC
 * refusals), serves the Longhorn kinds from an indexed store, runs a small Longhorn controller (cascading
 * BackupVolume deletes, finalizer release, backupstore poll), and injects faults on demand.
 *
 * <p>It plays the cluster and knows nothing of the cleanup engine, so it is an honest opponent: a cleanup
 * that passes here has dealt with what real servers do. Thread-safe; {@link #close()} stops every thread
 * it started.
 *
 * <pre>{@code
 * try (LonghornSimulator cluster = LonghornSimulator.builder()
 *     .seed(BackupstoreSpec.of(20, 5).failedBackups(3))
 *     .start()) {
 *   ApiClient client = cluster.apiClient();
 *   ...
 *   assertEquals(0, cluster.requests().count(Verb.DELETE));
 * }
 * }</pre>
 */
public final class LonghornSimulator implements AutoCloseable {

    /** Default delay between a BackupVolume going and the garbage collector starting on its backups. */
    public static final Duration DEFAULT_CASCADE_DELAY = Duration.ofMillis(200);
    /** Default time the garbage collector takes per backup of a deleted volume (one queue for the cluster). */
    public static final Duration DEFAULT_GC_PACE = Duration.ofMillis(5);
    /** Default delay before a deleted Backup's remote data is gone and its finalizer released. */
    public static final Duration DEFAULT_REMOTE_DELETE_DELAY = Duration.ofMillis(100);
    /** Default lifetime of list snapshots behind continue tokens (etcd compacts every 5 minutes). */
    public static final Duration DEFAULT_CONTINUE_TOKEN_TTL = Duration.ofMinutes(5);
    /** Default number of store events kept for watches that resume from a resource version. */
    public static final int DEFAULT_WATCH_HISTORY = 100_000;

    private final SimWebServer server;
    private final ObjectStore store;
    private final RemoteBackupstore remote;
    private final RequestStats stats;
    private final AtomicReference<FaultInjector> faults;
    private final WatchStreams watches;
    private final SimulatedLonghornController controller;
    private final BackupstoreSeeder seeder;
    private final ScheduledExecutorService executor;
    private final String url;
    private final Object clientLock = new Object();
    private volatile SeededBackupstore seeded = SeededBackupstore.NONE;
    private ApiClient apiClient;
    private KubernetesClient fabricClient;
    private boolean closed;

    private LonghornSimulator(Builder builder) {
        List<ApiResource> served = new ArrayList<>();
        served.add(LonghornResources.NAMESPACES);
        served.addAll(LonghornResources.ALL);
        served.addAll(builder.extraResources);
        store = new ObjectStore(served, builder.watchHistory, Clock.systemUTC(), builder.idSeed);
        for (String namespace : List.of("default", LonghornResources.NAMESPACE)) {
            store.create(LonghornResources.NAMESPACES, null, namespace(namespace), ObjectStore.Origin.SYSTEM, false);
        }
        remote = new RemoteBackupstore();
        stats = new RequestStats();
        faults = new AtomicReference<>(new FaultInjector(builder.faults));
        watches = new WatchStreams(store);
        Pagination pagination = new Pagination(builder.continueTokenTtl, 256, System::nanoTime);
        ResourceOperations operations = new ResourceOperations(store, pagination, watches);
        // fabric8's CRUD mock (no expectations) answers for every resource type the store does not serve
        ApiServerDispatcher dispatcher = new ApiServerDispatcher(
                store,
                operations,
                new KubernetesMixedDispatcher(new ConcurrentHashMap<>()),
                stats,
                builder.notServed,
                faults::get);
        Set<String> stuck = ConcurrentHashMap.newKeySet();
        stuck.addAll(builder.stuckBackups);
        seeder = new BackupstoreSeeder(store, remote, stuck);
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "longhorn-simulator-controller");
            thread.setDaemon(true);
            return thread;
        });
        controller = new SimulatedLonghornController(
                store,
                remote,
                executor,
                builder.cascadeDelay,
                builder.gcPace,
                builder.remoteDeleteDelay,
                builder.backupstorePoll,
                stuck,
                builder.volumeDeletesBackups);
        server = new SimWebServer(dispatcher);
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
            url = "http://" + server.getHostName() + ":" + server.getPort();
            controller.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
    public String url() {
        return url;
    }

    /** A client-java client for this cluster, created once; its connections are closed by {@link #close()}. */
    public ApiClient apiClient() {
        synchronized (clientLock) {
            requireOpen();
            if (apiClient == null) {
                apiClient = new ClientBuilder()
                        .setBasePath(url)
                        .setVerifyingSsl(false)
                        .build();
            }
            return apiClient;
        }
    }

    /** A fabric8 client for seeding and inspecting, created once and closed by {@link #close()}. */
    public KubernetesClient fabricClient() {
        synchronized (clientLock) {
            requireOpen();
            if (fabricClient == null) {
                Config config = new ConfigBuilder(Config.empty())
                        .withMasterUrl(url)
                        .withNamespace("test") // the default namespace fabric8's mock server gave its clients
                        .withHttp2Disable(true)
                        .build();
                fabricClient = new KubernetesClientBuilder().withConfig(config).build();
            }
            return fabricClient;
        }
    }

    /** Seeds more objects (and their backupstore data) directly into the store; no requests are counted. */
    public SeededBackupstore seed(BackupstoreSpec spec) {
        return seeder.seed(Objects.requireNonNull(spec, "spec"));
    }

    /** What {@link Builder#seed(BackupstoreSpec)} created at start; empty when nothing was seeded then. */
    public SeededBackupstore seeded() {
        return seeded;
    }

    /** What clients have sent so far (since the last {@link #resetCounters()}). */
    public RequestCounts requests() {
        return stats.requests();
    }

    /** How often each kind of fault was injected (since the last {@link #resetCounters()}). */
    public Map<FaultKind, Long> faultsInjected() {
        return stats.faults();
    }

    /** Zeroes {@link #requests()} and {@link #faultsInjected()}, e.g. after seeding through a client. */
    public void resetCounters() {
        stats.reset();
    }

    /** Replaces the fault plan from the next request on; per-object attempt counts start over. */
    public void faults(FaultPlan plan) {
        faults.set(new FaultInjector(Objects.requireNonNull(plan, "plan")));
    }

    /** Names of the backups whose data is still in the simulated backupstore. */
    public SortedSet<String> remoteBackups() {
        return remote.backups().stream()
                .map(RemoteBackupstore.RemoteBackup::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Names of the backup volumes whose data is still in the simulated backupstore. */
    public SortedSet<String> remoteBackupVolumes() {
        return remote.volumes().stream()
                .map(RemoteBackupstore.RemoteVolume::backupVolumeName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * While false, Longhorn cannot reach the backup target: deleted backups and backup volumes keep their
     * finalizers (as when the target client cannot be created), and the poll does nothing.
     */
    public void backupTargetReachable(boolean reachable) {
        controller.backupTargetReachable(reachable);
    }

    /**
     * For tests: the backups of deleted backup volumes wait in the collector's queue until
     * {@link #resumeCollector()}, so a test can look at the window between a volume going and its backups going
     * without racing a clock.
     */
    void pauseCollector() {
        controller.pauseCollector();
    }

    /** For tests: undoes {@link #pauseCollector()}. */
    void resumeCollector() {
        controller.resumeCollector();
    }

    /** The latest resource version the store handed out. */
    public long resourceVersion() {
        return store.resourceVersion();
    }

    /** Watches currently streaming. */
    public int openWatches() {
        return watches.openCount();
    }

    /** Stops the controller, ends watches, closes the clients handed out and the server. Idempotent. */
    @Override
    public void close() {
        synchronized (clientLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        executor.shutdownNow();
        watches.closeAll();
        if (fabricClient != null) {
            fabricClient.close();
        }
        if (apiClient != null) {
            apiClient.getHttpClient().dispatcher().executorService().shutdown();
            apiClient.getHttpClient().connectionPool().evictAll();
        }
        try {
            server.shutdown();
        } finally {
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the simulator is closed");
        }
    }

    private static ObjectNode namespace(String name) {
        ObjectNode namespace = Json.object();
        namespace.put("apiVersion", "v1");
        namespace.put("kind", "Namespace");
        Json.metadataForWrite(namespace).put("name", name);
        namespace.putObject("spec").set("finalizers", Json.stringArray(List.of("kubernetes")));
        namespace.putObject("status").put("phase", "Active");
        return namespace;
    }

    /** Configures and starts a simulator. Not thread-safe; the simulator it starts is. */
    public static final class Builder {
        private BackupstoreSpec spec;
        private Duration cascadeDelay = DEFAULT_CASCADE_DELAY;
        private Duration gcPace = DEFAULT_GC_PACE;
        private Duration remoteDeleteDelay = DEFAULT_REMOTE_DELETE_DELAY;
        private Duration backupstorePoll;
        private boolean volumeDeletesBackups;
        private Duration continueTokenTtl = DEFAULT_CONTINUE_TOKEN_TTL;
        private int watchHistory = DEFAULT_WATCH_HISTORY;
        private long idSeed = 1;
        private FaultPlan faults = FaultPlan.none();
        private final Set<String> stuckBackups = new LinkedHashSet<>();
        private final Set<String> notServed = new LinkedHashSet<>();
        private final List<ApiResource> extraResources = new ArrayList<>();

        private Builder() {}

        /**
         * Seed of the UIDs and {@code generateName} suffixes the API server gives objects created through it; the
         * default is 1. The same seed and the same creates give the same UIDs and names.
         */
        public Builder idSeed(long value) {
            this.idSeed = value;
            return this;
        }

        /** Seeds this backupstore at start; see {@link LonghornSimulator#seed(BackupstoreSpec)} for more later. */
        public Builder seed(BackupstoreSpec value) {
            this.spec = Objects.requireNonNull(value, "spec");
            return this;
        }

        /**
         * Delay between a BackupVolume going and the garbage collector starting on its backups; default
         * {@link #DEFAULT_CASCADE_DELAY}.
         */
        public Builder cascadeDelay(Duration value) {
            this.cascadeDelay = nonNegative(value, "cascadeDelay");
            return this;
        }

        /**
         * Whether a deleted BackupVolume deletes the backups it owns before it goes (its controller's own cascade), so
         * that they are all being deleted when it is gone; default {@code false}: it goes first and the garbage
         * collector deletes them afterwards, through their owner references, as in Longhorn 1.8+.
         */
        public Builder volumeDeletesBackups(boolean value) {
            this.volumeDeletesBackups = value;
            return this;
        }

        /**
         * How long the garbage collector takes per backup it deletes; default {@link #DEFAULT_GC_PACE}; zero deletes
         * them all at once.
         */
        public Builder gcPace(Duration value) {
            this.gcPace = nonNegative(value, "gcPace");
            return this;
        }

        /**
         * Delay before a deleted Backup's (or BackupVolume's) remote data is gone and its finalizer released;
         * default {@link #DEFAULT_REMOTE_DELETE_DELAY}.
         */
        public Builder remoteDeleteDelay(Duration value) {
            this.remoteDeleteDelay = nonNegative(value, "remoteDeleteDelay");
            return this;
        }

        /** Backups (by name) whose finalizer is never released, like a backup blocked by a restore. */
        public Builder stuckBackups(String... names) {
            stuckBackups.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Runs Longhorn's backupstore poll at this interval: BackupVolumes and Backups whose data is still in the
         * backupstore come back (same name, new UID) after their custom resources were deleted. Off by default.
         */
        public Builder backupstorePoll(Duration interval) {
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("backupstorePoll must be > 0, was " + interval);
            }
            this.backupstorePoll = interval;
            return this;
        }

        /**
         * Answers every request for {@code group/version} with a real 404 Status, like a cluster without that
         * version (e.g. {@code longhorn.io/v1beta1} from Longhorn 1.10 on). Versions of {@code longhorn.io}
         * other than {@code v1beta2} are not served anyway; this adds other groups.
         */
        public Builder notServed(String group, String version) {
            notServed.add(Objects.requireNonNull(group, "group") + "/" + Objects.requireNonNull(version, "version"));
            return this;
        }

        /** Serves one more resource type from the indexed store, with the same API-server semantics. */
        public Builder serve(ApiResource resource) {
            extraResources.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /** The fault plan at start; {@link LonghornSimulator#faults(FaultPlan)} changes it later. */
        public Builder faults(FaultPlan plan) {
            this.faults = Objects.requireNonNull(plan, "plan");
            return this;
        }

        /** How long continue tokens stay valid before 410 Expired; default {@link #DEFAULT_CONTINUE_TOKEN_TTL}. */
        public Builder continueTokenTtl(Duration value) {
            this.continueTokenTtl = nonNegative(value, "continueTokenTtl");
            return this;
        }

        /** Store events kept for watch resumption; default {@link #DEFAULT_WATCH_HISTORY}. */
        public Builder watchHistory(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("watchHistory must be >= 1, was " + events);
            }
            this.watchHistory = events;
            return this;
        }

        /** Starts the server and the controller, then seeds. */
        public LonghornSimulator start() {
            LonghornSimulator simulator = new LonghornSimulator(this);
            if (spec != null) {
                try {
                    simulator.seeded = simulator.seed(spec);
                } catch (RuntimeException e) {
                    simulator.close();
                    throw e;
                }
            }
            return simulator;
        }

        private static Duration nonNegative(Duration value, String field) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException(field + " must be >= 0, was " + value);
            }
            return value;
        }
    }
}
