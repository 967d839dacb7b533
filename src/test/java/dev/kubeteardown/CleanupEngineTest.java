package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The engine against the fabric8 CRUD mock: outcomes, retries, scope and what is sent on the wire. */
class CleanupEngineTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "longhorn-system";
    static final String PATH = "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/backups";

    MockCluster cluster;
    ScheduledExecutorService controller;

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        controller = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() {
        controller.shutdownNow();
        cluster.close();
    }

    Cleanup.Builder backups() {
        return Cleanup.builder(cluster.client(), BACKUPS).namespace(NS).timeout(Duration.ofSeconds(10));
    }

    String create(String name) {
        return cluster.create(BACKUPS, NS, name);
    }

    static boolean isDeleteOf(RecordedRequest r, String name) {
        return r.getMethod().equals("DELETE") && r.getPath().split("\\?")[0].endsWith("/backups/" + name);
    }

    static Outcome outcome(CleanupReport report, String name) {
        return report.outcomes().stream()
                .filter(o -> o.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no outcome for " + name + " in\n" + report.table()));
    }

    @Test
    @DisplayName("deletes every object in scope and confirms each gone")
    void deletesEverythingInScope() {
        for (int i = 0; i < 12; i++) {
            create("backup-" + i);
        }
        CleanupReport report = backups().build().run();
        assertEquals(12, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(12, report.outcomes().size());
        assertTrue(report.isClean());
        assertEquals(0, cluster.countObjects(BACKUPS, NS));
        assertEquals(12, cluster.count("DELETE"));
    }

    @Test
    @DisplayName(
            "a backup deleted by someone else between our list and our delete is ALREADY_GONE (empty 404 body, as the mock sends)")
    void deleteRacing404WithEmptyBodyIsAlreadyGone() {
        create("backup-a");
        create("backup-b");
        cluster.intercept((r, c) -> {
            if (isDeleteOf(r, "backup-a")) {
                c.deleteNow(BACKUPS, NS, "backup-a"); // the controller wins the race
                return new MockResponse().setResponseCode(404);
            }
            return null;
        });
        CleanupReport report = backups().build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.ALREADY_GONE, a.status(), report.table());
        assertEquals(404, a.httpStatus());
        assertTrue(a.detail().contains("empty response body"), a.detail());
        assertEquals(Outcome.Status.DELETED, outcome(report, "backup-b").status());
        assertTrue(report.isClean());
    }

    @Test
    @DisplayName("a 404 with a Status body, as a real API server sends, is ALREADY_GONE with the server's message")
    void deleteRacing404WithStatusBodyIsAlreadyGone() {
        create("backup-a");
        cluster.intercept((r, c) -> {
            if (isDeleteOf(r, "backup-a")) {
                c.deleteNow(BACKUPS, NS, "backup-a");
                return MockCluster.status(404, "NotFound", "backups.longhorn.io \"backup-a\" not found");
            }
            return null;
        });
        CleanupReport report = backups().build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.ALREADY_GONE, a.status());
        assertTrue(a.detail().contains("backups.longhorn.io \"backup-a\" not found"), a.detail());
        assertTrue(report.isClean());
    }

    @Test
    @DisplayName(
            "403 on one object: FAILED with the server's message and an RBAC hint, others still deleted, run() throws")
    void forbiddenOnOneObjectFailsOnlyThatObject() {
        create("backup-a");
        create("backup-b");
        create("backup-c");
        AtomicInteger forbidden = new AtomicInteger();
        cluster.intercept((r, c) -> {
            if (isDeleteOf(r, "backup-b")) {
                forbidden.incrementAndGet();
                return MockCluster.status(
                        403,
                        "Forbidden",
                        "backups.longhorn.io \"backup-b\" is forbidden: User \"ci\" cannot delete resource");
            }
            return null;
        });
        CleanupFailedException e = assertThrows(
                CleanupFailedException.class, () -> backups().build().run());
        CleanupReport report = e.report();
        Outcome b = outcome(report, "backup-b");
        assertEquals(Outcome.Status.FAILED, b.status());
        assertEquals(403, b.httpStatus());
        assertTrue(b.detail().contains("is forbidden: User \"ci\" cannot delete resource"), b.detail());
        assertTrue(b.detail().contains("'delete' backups.longhorn.io in namespace longhorn-system"), b.detail());
        assertEquals(1, forbidden.get(), "403 must not be retried");
        assertEquals(Outcome.Status.DELETED, outcome(report, "backup-a").status());
        assertEquals(Outcome.Status.DELETED, outcome(report, "backup-c").status());
        assertTrue(e.getMessage().contains("longhorn-system/backup-b"), e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertTrue(cluster.exists(BACKUPS, NS, "backup-b"));
    }

    @Test
    @DisplayName("401 is FAILED, not retried, naming the refused credentials")
    void unauthorizedIsFailedWithoutRetry() {
        create("backup-a");
        cluster.intercept((r, c) ->
                r.getMethod().equals("DELETE") ? MockCluster.status(401, "Unauthorized", "Unauthorized") : null);
        CleanupReport report = backups().build().execute();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.FAILED, a.status());
        assertEquals(401, a.httpStatus());
        assertEquals(1, a.attempts());
        assertTrue(a.detail().startsWith("401 Unauthorized"), a.detail());
        assertFalse(report.isClean());
    }

    @Test
    @DisplayName("500 then success: DELETED after a retry")
    void serverErrorIsRetried() {
        create("backup-a");
        AtomicInteger calls = new AtomicInteger();
        cluster.intercept((r, c) -> isDeleteOf(r, "backup-a") && calls.incrementAndGet() == 1
                ? MockCluster.status(500, "InternalError", "etcd leader changed")
                : null);
        CleanupReport report = backups().build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.DELETED, a.status());
        assertEquals(2, a.attempts());
        assertTrue(a.detail().contains("retried after 500"), a.detail());
    }

    @Test
    @DisplayName("5xx on every attempt: FAILED after the attempt limit, with the code and message")
    void persistentServerErrorFailsAfterAttemptLimit() {
        create("backup-a");
        cluster.intercept((r, c) -> r.getMethod().equals("DELETE")
                ? MockCluster.status(503, "ServiceUnavailable", "apiserver is shutting down")
                : null);
        List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
        CleanupReport report = backups()
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(40), 0, 4))
                .sleeper(slept::add)
                .build()
                .execute();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.FAILED, a.status());
        assertEquals(4, a.attempts());
        assertEquals(503, a.httpStatus());
        assertTrue(a.detail().contains("apiserver is shutting down"), a.detail());
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40)), slept.subList(0, 3));
    }

    @Test
    @DisplayName("429 with Retry-After: the retry waits at least Retry-After")
    void throttlingHonoursRetryAfter() {
        create("backup-a");
        AtomicInteger calls = new AtomicInteger();
        cluster.intercept((r, c) -> isDeleteOf(r, "backup-a") && calls.incrementAndGet() == 1
                ? MockCluster.status(429, "TooManyRequests", "slow down").setHeader("Retry-After", "3")
                : null);
        List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
        CleanupReport report = backups().sleeper(slept::add).build().run();
        assertEquals(Outcome.Status.DELETED, outcome(report, "backup-a").status());
        assertEquals(2, outcome(report, "backup-a").attempts());
        assertEquals(Duration.ofSeconds(3), slept.get(0), "first sleep is the Retry-After floor: " + slept);
    }

    @Test
    @DisplayName("by default the limit adapts, and the report (and its JSON) says where it went")
    void defaultParallelismIsAdaptiveAndReported() {
        for (int i = 0; i < 5; i++) {
            create("backup-" + i);
        }
        CleanupReport report = backups().build().run();
        CleanupReport.Parallelism p = report.parallelism().orElseThrow();
        assertTrue(p.adaptive(), p.toString());
        assertEquals(CleanupBuilder.DEFAULT_PARALLELISM, p.initial());
        var json = JsonParser.parseString(report.toJson()).getAsJsonObject().getAsJsonObject("parallelism");
        assertEquals("adaptive", json.get("mode").getAsString(), json.toString());
        assertEquals(p.last(), json.get("final").getAsInt());
        assertEquals(p.min(), json.get("min").getAsInt());
        assertEquals(p.peak(), json.get("peak").getAsInt());
    }

    @Test
    @DisplayName("parallelism(n) fixes the limit: a 429 does not move it, and the report says fixed")
    void fixedParallelismDoesNotAdapt() {
        create("backup-a");
        AtomicInteger calls = new AtomicInteger();
        cluster.intercept((r, c) -> isDeleteOf(r, "backup-a") && calls.incrementAndGet() == 1
                ? MockCluster.status(429, "TooManyRequests", "slow down")
                : null);
        CleanupReport report = backups().parallelism(3).sleeper(d -> {}).build().run();
        assertEquals(
                new CleanupReport.Parallelism(false, 3, 3, 3, 3, 1),
                report.parallelism().orElseThrow());
        assertEquals(
                "fixed",
                JsonParser.parseString(report.toJson())
                        .getAsJsonObject()
                        .getAsJsonObject("parallelism")
                        .get("mode")
                        .getAsString());
    }

    @Test
    @DisplayName("a 429 on a delete lowers the adaptive limit: the retrier feeds each answer to it")
    void throttledDeleteLowersTheAdaptiveLimit() {
        for (int i = 0; i < 4; i++) {
            create("backup-" + i);
        }
        AtomicInteger calls = new AtomicInteger();
        cluster.intercept((r, c) -> isDeleteOf(r, "backup-0") && calls.incrementAndGet() == 1
                ? MockCluster.status(429, "TooManyRequests", "slow down").setHeader("Retry-After", "1")
                : null);
        CleanupReport report = backups().sleeper(d -> {}).build().run();
        assertTrue(report.isClean(), report.table());
        CleanupReport.Parallelism p = report.parallelism().orElseThrow();
        assertEquals(1, p.throttled(), p.toString());
        assertEquals(CleanupBuilder.DEFAULT_PARALLELISM / 2, p.min(), p.toString());
    }

    @Test
    @DisplayName("a response slower than the request timeout is an I/O error and is retried")
    void ioFailureIsRetried() {
        create("backup-a");
        AtomicInteger calls = new AtomicInteger();
        cluster.intercept((r, c) -> isDeleteOf(r, "backup-a") && calls.incrementAndGet() == 1
                ? MockCluster.status(200, "", "late").setBodyDelay(Duration.ofSeconds(3))
                : null);
        CleanupReport report =
                backups().requestTimeout(Duration.ofSeconds(1)).build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.DELETED, a.status(), report.table());
        assertEquals(2, a.attempts());
        assertTrue(a.detail().contains("request timed out"), a.detail());
    }

    @Test
    @DisplayName(
            "a delete that happened but whose answer was lost: the retry's 404 means this run deleted it (DELETED)")
    void lostAnswerThenNotFoundIsDeleted() {
        create("backup-a");
        AtomicInteger calls = new AtomicInteger();
        cluster.intercept((r, c) -> {
            if (isDeleteOf(r, "backup-a") && calls.incrementAndGet() == 1) {
                c.deleteNow(BACKUPS, NS, "backup-a"); // the server did it ...
                return MockCluster.status(200, "", "late")
                        .setBodyDelay(Duration.ofSeconds(3)); // ... but the answer is late
            }
            return null;
        });
        CleanupReport report =
                backups().requestTimeout(Duration.ofSeconds(1)).build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.DELETED, a.status(), report.table());
        assertEquals(404, a.httpStatus());
        assertTrue(a.detail().contains("answer was lost"), a.detail());
    }

    @Test
    @DisplayName("a finalizer that never goes: STUCK by the deadline, naming the finalizer and deletionTimestamp")
    void finalizerThatNeverGoesIsStuck() {
        cluster.create(BACKUPS, NS, "backup-a", Map.of(), List.of("longhorn.io"));
        long start = System.nanoTime();
        CleanupFailedException e = assertThrows(
                CleanupFailedException.class,
                () -> backups().timeout(Duration.ofSeconds(2)).build().run());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        Outcome a = outcome(e.report(), "backup-a");
        assertEquals(Outcome.Status.STUCK, a.status());
        assertEquals(List.of("longhorn.io"), a.finalizers());
        assertTrue(a.detail().contains("finalizers [longhorn.io]"), a.detail());
        assertTrue(a.deletionTimestamp() != null, "deletionTimestamp is reported");
        assertTrue(
                tookMillis < 2000 + Deadline.FINAL_CHECK.toMillis() + 2000, "returned by the deadline: " + tookMillis);
        assertTrue(e.getMessage().contains("STUCK backups.longhorn.io longhorn-system/backup-a"), e.getMessage());
    }

    @Test
    @DisplayName("a server that ends every watch at once is asked a bounded number of times, then polled")
    void watchesThatEndAtOnceFallBackToPolling() {
        cluster.create(BACKUPS, NS, "backup-a", Map.of(), List.of("longhorn.io"));
        AtomicInteger watches = new AtomicInteger();
        AtomicInteger listsAfterWatch = new AtomicInteger();
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("GET") && r.getPath().contains("watch=true")) {
                watches.incrementAndGet();
                return new MockResponse().setResponseCode(200).setBody("");
            }
            if (r.getMethod().equals("GET") && watches.get() > 0) {
                listsAfterWatch.incrementAndGet();
            }
            return null;
        });
        CleanupReport report = backups().timeout(Duration.ofSeconds(5)).build().execute();
        assertEquals(Outcome.Status.STUCK, outcome(report, "backup-a").status());
        assertTrue(watches.get() >= 1, "the watch was tried");
        assertTrue(watches.get() <= GoneWaiter.MAX_FRUITLESS_WATCHES, "watches opened: " + watches.get());
        assertTrue(listsAfterWatch.get() >= 1, "then the wait polled");
    }

    @Test
    @DisplayName("a finalizer released by a controller after a delay: DELETED")
    void finalizerReleasedLaterIsDeleted() {
        cluster.create(BACKUPS, NS, "backup-a", Map.of(), List.of("longhorn.io"));
        cluster.intercept((r, c) -> {
            if (isDeleteOf(r, "backup-a")) {
                controller.schedule(() -> c.removeFinalizers(BACKUPS, NS, "backup-a"), 300, TimeUnit.MILLISECONDS);
            }
            return null;
        });
        CleanupReport report = backups().build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.DELETED, a.status(), report.table());
        assertTrue(a.duration().toMillis() >= 250, "waited for the controller: " + a.duration());
        assertFalse(cluster.exists(BACKUPS, NS, "backup-a"));
    }

    @Test
    @DisplayName("resource type not served (404 on list): one SKIPPED outcome, clean; FAIL policy throws")
    void resourceNotServedIsSkipped() {
        cluster.intercept((r, c) -> r.getMethod().equals("GET") && r.getPath().startsWith(PATH)
                ? MockCluster.status(404, "NotFound", "the server could not find the requested resource")
                : null);
        CleanupReport report = backups().build().run();
        assertEquals(1, report.outcomes().size());
        Outcome skipped = report.outcomes().get(0);
        assertEquals(Outcome.Status.SKIPPED, skipped.status());
        assertTrue(skipped.detail().contains("backups.longhorn.io/v1beta2 is not served"), skipped.detail());
        assertTrue(report.isClean());
        assertEquals(0, cluster.count("DELETE"));
        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class,
                () -> backups().ifResourceMissing(MissingPolicy.FAIL).build().run());
        assertTrue(e.getMessage().contains("backups.longhorn.io/v1beta2 is not served"), e.getMessage());
    }

    @Test
    @DisplayName("namespace and label selectors (set-based too, which the mock ignores) bound the scope")
    void scopeIsRespected() {
        cluster.create(BACKUPS, NS, "in-1", Map.of("backup-volume", "vol-1"), List.of());
        cluster.create(BACKUPS, NS, "in-2", Map.of("backup-volume", "vol-2"), List.of());
        cluster.create(BACKUPS, NS, "out-label", Map.of("backup-volume", "vol-3"), List.of());
        cluster.create(BACKUPS, NS, "out-nolabel", Map.of(), List.of());
        cluster.create(BACKUPS, "other", "in-1", Map.of("backup-volume", "vol-1"), List.of());
        CleanupReport report = backups()
                .labelSelector("backup-volume in (vol-1, vol-2)")
                .build()
                .run();
        assertEquals(Set.of("in-1", "in-2"), names(report));
        assertTrue(cluster.exists(BACKUPS, NS, "out-label"));
        assertTrue(cluster.exists(BACKUPS, NS, "out-nolabel"));
        assertTrue(cluster.exists(BACKUPS, "other", "in-1"));
        assertEquals(2, cluster.count("DELETE"), cluster.requests().toString());
    }

    @Test
    @DisplayName("field selector and name predicate narrow the scope further")
    void fieldSelectorAndNamePredicate() {
        create("keep-me");
        create("backup-1");
        create("backup-2");
        CleanupReport byField =
                backups().fieldSelector("metadata.name=backup-1").build().run();
        assertEquals(Set.of("backup-1"), names(byField));
        CleanupReport byName =
                backups().names(n -> n.startsWith("backup-")).build().run();
        assertEquals(Set.of("backup-2"), names(byName));
        assertTrue(cluster.exists(BACKUPS, NS, "keep-me"));
    }

    @Test
    @DisplayName("an ApiClient whose base path ends with a slash works the same")
    void basePathWithTrailingSlash() {
        create("backup-a");
        var client = new ApiClient().setBasePath(cluster.url().replaceAll("/*$", "") + "/");
        CleanupReport report =
                Cleanup.builder(client, BACKUPS).namespace(NS).build().run();
        assertEquals(1, report.count(Outcome.Status.DELETED), report.table());
        assertTrue(
                cluster.requests().stream().noneMatch(r -> r.contains("//")),
                cluster.requests().toString());
    }

    @Test
    @DisplayName("all namespaces: every namespace is cleaned")
    void allNamespaces() {
        cluster.create(BACKUPS, "a", "x", Map.of("t", "1"), List.of());
        cluster.create(BACKUPS, "b", "y", Map.of("t", "1"), List.of());
        CleanupReport report = Cleanup.builder(cluster.client(), BACKUPS)
                .allNamespaces()
                .labelSelector("t=1")
                .build()
                .run();
        assertEquals(2, report.count(Outcome.Status.DELETED));
        assertEquals(
                Set.of("a/x", "b/y"),
                Set.copyOf(
                        report.outcomes().stream().map(Outcome::qualifiedName).toList()));
    }

    @Test
    @DisplayName(
            "a cluster-scoped type: no namespace in any request, a namespace option is ignored, the selector is the scope")
    void clusterScopedType() {
        ResourceType classes = ResourceType.clusterScoped("storage.k8s.io", "v1", "storageclasses");
        cluster.create(classes, null, "e2e-a", Map.of("e2e", "true"), List.of());
        cluster.create(classes, null, "e2e-b", Map.of("e2e", "true"), List.of("kube-teardown.dev/held"));
        cluster.create(classes, null, "standard", Map.of(), List.of());
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("DELETE") && r.getPath().split("\\?")[0].endsWith("/storageclasses/e2e-b")) {
                // a controller releases the finalizer after the deletion is requested
                controller.schedule(() -> c.removeFinalizers(classes, null, "e2e-b"), 100, TimeUnit.MILLISECONDS);
            }
            return null;
        });
        CleanupReport report = Cleanup.builder(cluster.client(), classes)
                .namespace("ignored")
                .labelSelector("e2e=true")
                .waitStrategy(WaitStrategy.POLL)
                .build()
                .run();
        assertEquals(
                Set.of("e2e-a", "e2e-b"),
                Set.copyOf(report.outcomes(Outcome.Status.DELETED).stream()
                        .map(Outcome::name)
                        .toList()),
                report.table());
        assertTrue(report.outcomes().stream().allMatch(o -> o.namespace() == null), report.table());
        assertFalse(cluster.exists(classes, null, "e2e-a"));
        assertFalse(cluster.exists(classes, null, "e2e-b"));
        assertTrue(cluster.exists(classes, null, "standard"));
        assertTrue(
                cluster.requests().stream().noneMatch(r -> r.contains("/namespaces/")),
                cluster.requests().toString());
    }

    @Test
    @DisplayName("dry run lists and reports WOULD_DELETE, and sends no mutating request")
    void dryRunSendsNoDelete() {
        create("backup-a");
        create("backup-b");
        CleanupReport report =
                backups().dryRun(true).labelBeforeDelete("x", "y").build().run();
        assertEquals(2, report.count(Outcome.Status.WOULD_DELETE));
        assertEquals(0, cluster.count("DELETE"));
        assertEquals(0, cluster.count("PATCH"));
        assertEquals(0, cluster.count("PUT") + cluster.count("POST"));
        assertTrue(cluster.exists(BACKUPS, NS, "backup-a"));
    }

    @Test
    @DisplayName(
            "a same-name object re-created after our list is never deleted (UID precondition -> 409 -> ALREADY_GONE)")
    void recreatedObjectSurvives() {
        String oldUid = create("backup-a");
        cluster.intercept((r, c) -> {
            if (isDeleteOf(r, "backup-a") && oldUid.equals(c.uid(BACKUPS, NS, "backup-a"))) {
                c.deleteNow(BACKUPS, NS, "backup-a");
                c.create(BACKUPS, NS, "backup-a");
            }
            return null;
        });
        CleanupReport report = backups().build().run();
        Outcome a = outcome(report, "backup-a");
        assertEquals(Outcome.Status.ALREADY_GONE, a.status(), report.table());
        assertEquals(409, a.httpStatus());
        assertEquals(oldUid, a.uid());
        assertTrue(cluster.exists(BACKUPS, NS, "backup-a"), "the re-created object survives");
        assertFalse(cluster.uid(BACKUPS, NS, "backup-a").equals(oldUid));
    }

    @Test
    @DisplayName("what is sent: UID precondition, propagation policy and grace period in the DeleteOptions")
    void deleteOptionsOnTheWire() {
        String uid = create("backup-a");
        backups()
                .propagationPolicy(PropagationPolicy.FOREGROUND)
                .gracePeriod(Duration.ofSeconds(5))
                .build()
                .run();
        MockCluster.Recorded delete = cluster.recorded().stream()
                .filter(r -> r.method().equals("DELETE"))
                .findFirst()
                .orElseThrow();
        var body = JsonParser.parseString(delete.body()).getAsJsonObject();
        assertEquals(uid, body.getAsJsonObject("preconditions").get("uid").getAsString());
        assertEquals("Foreground", body.get("propagationPolicy").getAsString());
        assertEquals(5, body.get("gracePeriodSeconds").getAsInt());
    }

    @Test
    @DisplayName("labelBeforeDelete patches the label (with the UID) before the delete")
    void labelBeforeDeleteIsPatchedFirst() {
        String uid = create("backup-a");
        backups()
                .labelBeforeDelete("longhorn.io/delete-custom-resource-only", "true")
                .build()
                .run();
        List<MockCluster.Recorded> mutations = cluster.recorded().stream()
                .filter(r -> r.method().equals("PATCH") || r.method().equals("DELETE"))
                .toList();
        assertEquals(
                List.of("PATCH", "DELETE"),
                mutations.stream().map(MockCluster.Recorded::method).toList());
        assertEquals(
                "application/merge-patch+json", mutations.get(0).contentType().split(";")[0]);
        var patch = JsonParser.parseString(mutations.get(0).body()).getAsJsonObject();
        assertEquals(
                "true",
                patch.getAsJsonObject("metadata")
                        .getAsJsonObject("labels")
                        .get("longhorn.io/delete-custom-resource-only")
                        .getAsString());
        assertEquals(uid, patch.getAsJsonObject("metadata").get("uid").getAsString());
    }

    @Test
    @DisplayName(
            "pagination: every page is listed with limit/continue, each object deleted exactly once, 410 restarts the list")
    void paginatesAndRestartsOnExpiredContinue() {
        for (int i = 0; i < 7; i++) {
            create(String.format("backup-%02d", i));
        }
        AtomicInteger expired = new AtomicInteger();
        cluster.intercept(new PagingInterceptor(PATH, expired));
        Map<String, Integer> deletes = new ConcurrentHashMap<>();
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("DELETE")) {
                deletes.merge(r.getPath().split("\\?")[0], 1, Integer::sum);
            }
            return null;
        });
        CleanupReport report =
                backups().pageSize(3).waitStrategy(WaitStrategy.POLL).build().run();
        assertEquals(7, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(7, deletes.size());
        assertTrue(deletes.values().stream().allMatch(n -> n == 1), "no object deleted twice: " + deletes);
        assertEquals(1, expired.get(), "the continue token expired once and the list restarted");
        assertTrue(cluster.requests().stream().anyMatch(r -> r.contains("limit=3")), "limit is sent");
        assertTrue(cluster.requests().stream().anyMatch(r -> r.contains("continue=")), "continue is sent");
    }

    @Test
    @DisplayName(
            "a 404 on a restarted list (the CRD deleted mid-run) cuts the listing short; what was deleted is still decided")
    void notFoundAfterRestartIsNotNotServed() {
        for (int i = 0; i < 7; i++) {
            create(String.format("backup-%02d", i));
        }
        AtomicInteger lists = new AtomicInteger();
        cluster.intercept((r, c) -> r.getMethod().equals("GET")
                        && r.getPath().startsWith(PATH + "?")
                        && r.getPath().contains("limit=3")
                        && lists.incrementAndGet() == 3
                ? MockCluster.status(404, "NotFound", "the server could not find the requested resource")
                : null);
        cluster.intercept(new PagingInterceptor(PATH, new AtomicInteger()));
        CleanupReport report =
                backups().pageSize(3).waitStrategy(WaitStrategy.POLL).build().execute();
        assertEquals(3, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(0, report.count(Outcome.Status.SKIPPED), "a type that served two pages is not 'not served'");
        Outcome cut = report.outcomes().stream()
                .filter(Outcome::isScopeOutcome)
                .findFirst()
                .orElseThrow();
        assertEquals(Outcome.Status.FAILED, cut.status());
        assertTrue(cut.detail().contains("listing stopped after page"), cut.detail());
        assertFalse(report.isClean());
    }

    @Test
    @DisplayName(
            "a namespace that does not exist: a note on a clean report by default, a clear error with ifNamespaceMissing(FAIL)")
    void missingNamespace() {
        CleanupReport report = Cleanup.builder(cluster.client(), BACKUPS)
                .namespace("no-such-ns")
                .build()
                .run();
        assertEquals(0, report.outcomes().size(), "no object, so no outcome");
        assertTrue(report.isClean());
        assertEquals(
                List.of("backups.longhorn.io: namespace \"no-such-ns\" does not exist; nothing to clean"),
                report.notes());
        assertTrue(
                report.summary()
                        .endsWith(
                                "clean (backups.longhorn.io: namespace \"no-such-ns\" does not exist; nothing to clean)"),
                report.summary());
        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class,
                () -> Cleanup.builder(cluster.client(), BACKUPS)
                        .namespace("no-such-ns")
                        .ifNamespaceMissing(MissingPolicy.FAIL)
                        .build()
                        .execute());
        assertTrue(e.getMessage().contains("namespace \"no-such-ns\" does not exist"), e.getMessage());
    }

    @Test
    @DisplayName("403 on the list itself: a clear configuration error naming the verb and resource, nothing deleted")
    void forbiddenListIsConfigurationError() {
        create("backup-a");
        cluster.intercept((r, c) -> r.getMethod().equals("GET")
                ? MockCluster.status(
                        403, "Forbidden", "backups.longhorn.io is forbidden: User \"limited\" cannot list resource")
                : null);
        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class, () -> backups().build().run());
        assertTrue(e.getMessage().contains("403 Forbidden"), e.getMessage());
        assertTrue(e.getMessage().contains("'list' backups.longhorn.io in namespace longhorn-system"), e.getMessage());
        assertEquals(0, cluster.count("DELETE"));
        // a catch of CleanupFailedException around run() sees it too, with the refusal as a FAILED scope outcome
        CleanupFailedException asFailed = assertThrows(
                CleanupFailedException.class, () -> backups().build().run());
        Outcome refused = asFailed.report().problems().get(0);
        assertEquals(Outcome.Status.FAILED, refused.status());
        assertEquals(403, refused.httpStatus());
        assertTrue(refused.isScopeOutcome());
        assertFalse(asFailed.report().isClean());
    }

    @Test
    @DisplayName("parallelism bounds the deletes in flight")
    void parallelismBoundsDeletesInFlight() {
        for (int i = 0; i < 16; i++) {
            create("backup-" + i);
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("DELETE")) {
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                MockResponse response = c.passThrough(r);
                inFlight.decrementAndGet();
                return response;
            }
            return null;
        });
        backups().parallelism(1).build().run();
        assertEquals(1, maxInFlight.get(), "parallelism 1 is sequential");
    }

    @Test
    @DisplayName("a listener sees every object listed and every outcome decided")
    void listenerFollowsTheRun() {
        create("backup-a");
        create("backup-b");
        List<String> listed = Collections.synchronizedList(new ArrayList<>());
        List<Outcome> decided = Collections.synchronizedList(new ArrayList<>());
        CleanupReport report = backups()
                .listener(new CleanupListener() {
                    @Override
                    public void listed(String namespace, String name) {
                        listed.add(namespace + "/" + name);
                    }

                    @Override
                    public void decided(Outcome outcome) {
                        decided.add(outcome);
                    }
                })
                .build()
                .run();
        assertEquals(Set.of("longhorn-system/backup-a", "longhorn-system/backup-b"), Set.copyOf(listed));
        assertEquals(Set.copyOf(report.outcomes()), Set.copyOf(decided));
    }

    @Test
    @DisplayName("an object someone else is already deleting is waited for, gets no second DELETE, and is ALREADY_GONE")
    void objectAlreadyTerminatingIsWaitedForNotDeletedAgain() {
        cluster.create(BACKUPS, NS, "terminating", Map.of(), List.of("longhorn.io"));
        cluster.deleteNow(BACKUPS, NS, "terminating"); // Longhorn's garbage collection got there first
        AtomicBoolean listed = new AtomicBoolean();
        cluster.intercept((r, c) -> {
            if (r.getMethod().equals("GET")
                    && r.getPath().startsWith(PATH + "?")
                    && !r.getPath().contains("watch=")
                    && listed.compareAndSet(false, true)) {
                // the object is released only once the run has listed it, whatever the machine's speed
                MockResponse list = c.passThrough(r);
                controller.schedule(() -> c.removeFinalizers(BACKUPS, NS, "terminating"), 200, TimeUnit.MILLISECONDS);
                return list;
            }
            return null;
        });
        CleanupReport report = backups().build().run();
        Outcome o = outcome(report, "terminating");
        assertEquals(Outcome.Status.ALREADY_GONE, o.status(), report.table());
        assertTrue(o.detail().contains("already being deleted when listed"), o.detail());
        assertEquals(0, cluster.count("DELETE"), "no DELETE from the run: " + cluster.requests());
    }

    static Set<String> names(CleanupReport report) {
        return Set.copyOf(report.outcomes().stream().map(Outcome::name).toList());
    }
}
