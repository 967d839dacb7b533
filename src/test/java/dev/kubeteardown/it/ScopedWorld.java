package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Backups in scope of one teardown plus decoys just outside it (same namespace with another label value, another
 * namespace with the scope's label), and the promises of a teardown checked against the real server afterwards
 * through the admin client: nothing outside the scope touched, exactly one outcome per object, nothing reported gone
 * that still exists, and the run back by its deadline plus the bounded final check.
 */
final class ScopedWorld implements AutoCloseable {

    static final String SCOPE_LABEL = "teardown-scope";
    static final String IN_SCOPE = SCOPE_LABEL + "=in";
    /** The final check after the deadline (2 s) plus slack for two shared cores; a real hang is unbounded. */
    static final Duration HANG_SLACK = Duration.ofSeconds(20);

    final ItNamespace ns;
    final ItNamespace other;
    /** In-scope backups: uid -> name. */
    final Map<String, String> inScope = new LinkedHashMap<>();
    /** Decoys: "namespace/name" -> the object as created. */
    final Map<String, Map<String, Object>> decoys = new LinkedHashMap<>();
    /** In-scope names another party deleted during the run ({@link #deleteAsOthers}): they may never be listed. */
    final Set<String> removedByOthers = ConcurrentHashMap.newKeySet();

    private ScopedWorld(ItNamespace ns, ItNamespace other) {
        this.ns = ns;
        this.other = other;
    }

    /** Creates {@code objects} in-scope backups and {@code decoys} decoys of each kind (16 creating threads). */
    static ScopedWorld seed(RealApiServer server, String prefix, int objects, int decoys) throws Exception {
        return seed(server, prefix, objects, decoys, null);
    }

    /** As {@link #seed(RealApiServer, String, int, int)}, the in-scope backups carrying {@code finalizer} if not null. */
    static ScopedWorld seed(RealApiServer server, String prefix, int objects, int decoys, String finalizer)
            throws Exception {
        ScopedWorld world = new ScopedWorld(ItNamespace.create(server, prefix), ItNamespace.create(server, prefix));
        List<ItNamespace.BackupSpec> specs = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            ItNamespace.BackupSpec spec = backup(String.format("b-%05d", i)).label(SCOPE_LABEL, "in");
            specs.add(finalizer == null ? spec : spec.finalizer(finalizer));
        }
        for (int i = 0; i < decoys; i++) {
            specs.add(backup(String.format("decoy-label-%03d", i)).label(SCOPE_LABEL, "out"));
        }
        world.ns.createAll(specs, 16).forEach((name, o) -> {
            if (name.startsWith("decoy")) {
                world.decoys.put(world.ns.name() + "/" + name, o);
            } else {
                world.inScope.put(ItNamespace.uidOf(o), name);
            }
        });
        List<ItNamespace.BackupSpec> elsewhere = new ArrayList<>();
        for (int i = 0; i < decoys; i++) {
            elsewhere.add(backup(String.format("decoy-ns-%03d", i)).label(SCOPE_LABEL, "in"));
        }
        world.other.createAll(elsewhere, 16).forEach((name, o) -> world.decoys.put(world.other.name() + "/" + name, o));
        return world;
    }

    /**
     * An admin client of {@code server} that connects to {@code 127.0.0.1:port} (a {@link
     * dev.kubeteardown.testing.FaultProxy} in front of the API server), still verifying the server's certificate.
     */
    static ApiClient adminClientVia(RealApiServer server, int port) throws IOException {
        return new ClientBuilder()
                .setBasePath("https://127.0.0.1:" + port)
                .setVerifyingSsl(true)
                .setCertificateAuthority(Files.readAllBytes(server.caFile()))
                .setAuthentication(new AccessTokenAuthentication(server.adminToken()))
                .setReadTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** The API server's port. */
    static int apiPort(RealApiServer server) {
        return URI.create(server.apiUrl()).getPort();
    }

    /** Deletes an in-scope backup as a third party would (the real list/delete race); true when it was there. */
    boolean deleteAsOthers(String name) throws Exception {
        boolean deleted = ns.delete(BACKUPS, name);
        if (deleted) {
            removedByOthers.add(name);
        }
        return deleted;
    }

    /** A backup cleanup of exactly this world's scope. */
    BackupCleanup.Builder cleanup(ApiClient client) {
        return BackupCleanup.builder(client).namespace(ns.name()).labelSelector(IN_SCOPE);
    }

    /** One run's report and its wall time as seen by the caller. */
    record Run(CleanupReport report, Duration took) {}

    /** A run started by {@link #start}; {@link #await} bounds the wait so that a hang fails instead of stalling. */
    record Started(Future<Run> future, Duration timeout, ExecutorService thread) {

        Run await() throws Exception {
            try {
                return future.get(timeout.plus(HANG_SLACK).plusSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                thread.shutdownNow();
            }
        }
    }

    /** Starts {@code step} on a thread of its own. */
    static Started start(CleanupStep step, Duration timeout) {
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "it-run-" + step.description());
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        Future<Run> future = thread.submit(() -> {
            CleanupReport report = step.execute();
            return new Run(report, Duration.ofNanos(System.nanoTime() - t0));
        });
        return new Started(future, timeout, thread);
    }

    /**
     * A latch opened once {@code client} has sent {@code deletes} DELETE requests (an interceptor added to its OkHttp
     * client): the condition "the run is deleting" a fault waits for.
     */
    static CountDownLatch afterDeletes(ApiClient client, int deletes) {
        CountDownLatch latch = new CountDownLatch(1);
        AtomicInteger sent = new AtomicInteger();
        client.setHttpClient(client.getHttpClient()
                .newBuilder()
                .addInterceptor(chain -> {
                    if (chain.request().method().equals("DELETE") && sent.incrementAndGet() >= deletes) {
                        latch.countDown();
                    }
                    return chain.proceed(chain.request());
                })
                .build());
        return latch;
    }

    /** Waits (bounded) for {@code latch}; false when {@code run} ended first or the wait timed out. */
    static boolean awaitWhileRunning(CountDownLatch latch, Started run, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (latch.await(20, TimeUnit.MILLISECONDS)) {
                return !run.future().isDone();
            }
            if (run.future().isDone()) {
                return false;
            }
        }
        return false;
    }

    /**
     * Every broken promise of this run, one line each (empty when all hold). Reads the server through the admin client,
     * so call it when the API server answers.
     */
    List<String> violations(CleanupReport report, Duration timeout, Duration took) throws Exception {
        List<String> v = new ArrayList<>();
        Map<String, String> present = new HashMap<>();
        for (Map<String, Object> o : ns.list(BACKUPS)) {
            present.put(ItNamespace.uidOf(o), ItNamespace.nameOf(o));
        }
        Map<String, Integer> outcomesPerUid = new HashMap<>();
        boolean listingCut = false;
        for (Outcome o : report.outcomes()) {
            if (o.isScopeOutcome()) {
                listingCut |= o.status() == Outcome.Status.FAILED;
                continue;
            }
            outcomesPerUid.merge(o.uid(), 1, Integer::sum);
            if (!inScope.containsKey(o.uid())) {
                v.add("outcome for an object outside the scope: " + o);
            }
            if ((o.status() == Outcome.Status.DELETED || o.status() == Outcome.Status.ALREADY_GONE)
                    && present.containsKey(o.uid())) {
                v.add("reported " + o.status() + " but still exists: " + o);
            }
            if (o.status() == Outcome.Status.SKIPPED || o.status() == Outcome.Status.WOULD_DELETE) {
                v.add("unexpected " + o.status() + ": " + o);
            }
        }
        outcomesPerUid.forEach((uid, n) -> {
            if (n > 1) {
                v.add(n + " outcomes for " + inScope.getOrDefault(uid, uid));
            }
        });
        if (!listingCut) {
            inScope.forEach((uid, name) -> {
                if (!outcomesPerUid.containsKey(uid) && !removedByOthers.contains(name)) {
                    v.add("no outcome for " + ns.name() + "/" + name + " (uid " + uid + ")");
                }
            });
        }
        for (Map.Entry<String, Map<String, Object>> decoy : decoys.entrySet()) {
            Map<String, Object> before = decoy.getValue();
            ItNamespace owner = decoy.getKey().startsWith(ns.name() + "/") ? ns : other;
            Map<String, Object> now =
                    owner.get(BACKUPS, ItNamespace.nameOf(before)).orElse(null);
            if (now == null) {
                v.add("decoy " + decoy.getKey() + " was deleted");
            } else if (!ItNamespace.uidOf(now).equals(ItNamespace.uidOf(before))) {
                v.add("decoy " + decoy.getKey() + " was replaced (uid changed)");
            } else if (!ItNamespace.resourceVersionOf(now).equals(ItNamespace.resourceVersionOf(before))
                    || ItNamespace.deletionTimestampOf(now) != null) {
                v.add("decoy " + decoy.getKey() + " was modified or is being deleted");
            }
        }
        if (took.compareTo(timeout.plus(HANG_SLACK)) > 0) {
            v.add("run took " + took.toMillis() + " ms, beyond its timeout " + timeout.toMillis() + " ms + "
                    + HANG_SLACK.toMillis() + " ms");
        }
        return v;
    }

    /** In-scope objects still present on the server. */
    Set<String> remaining() throws Exception {
        return ns.names(BACKUPS).stream()
                .filter(n -> !n.startsWith("decoy"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Override
    public void close() throws Exception {
        try {
            ns.close();
        } finally {
            other.close();
        }
    }
}
