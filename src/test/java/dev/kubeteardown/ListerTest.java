package dev.kubeteardown;

import static dev.kubeteardown.Wire.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lister alone: paging, restarts, "not served", client-side scope and failure messages, on a virtual clock. */
@Timeout(60)
class ListerTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "test-ns";
    static final String PATH = "/apis/longhorn.io/v1beta2/namespaces/test-ns/backups";

    MockCluster cluster;
    VirtualTime time;
    ListScript server;
    final List<String> handedOut = new ArrayList<>();
    final Set<String> seen = new HashSet<>();

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        time = new VirtualTime();
        server = new ListScript();
        cluster.intercept(server);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    Cleanup.Builder backups() {
        return Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(30))
                .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0, 4))
                .sleeper(time)
                .ticker(time);
    }

    Lister.Result list(Cleanup.Builder builder) throws InterruptedException {
        Stages stages = new Stages(cluster.client(), builder.spec());
        return stages.lister().list(stages.deadline, seen, (ref, labels) -> handedOut.add(ref.name()));
    }

    /** Each list request as {@code limit} and {@code continue} ({@code -} for none), in order. */
    List<String> pagesRequested() {
        return cluster.recorded().stream()
                .filter(r -> r.method().equals("GET") && Wire.path(r.path()).equals(PATH))
                .map(r -> "limit=" + Wire.param(r.path(), "limit") + " continue="
                        + Objects.requireNonNullElse(Wire.param(r.path(), "continue"), "-"))
                .toList();
    }

    @Test
    @DisplayName("pages are asked for with limit and continue; every object is handed out once")
    void pagesFollowContinueTokensAndHandOutEveryObjectOnce() throws Exception {
        server.on(null, () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90"), object(NS, "b", "uid-b", "91")))
                .on("t1", () -> Wire.list("100", "t2", object(NS, "c", "uid-c", "92"), object(NS, "d", "uid-d", "93")))
                .on("t2", () -> Wire.list("100", null, object(NS, "e", "uid-e", "94")));

        Lister.Result result = list(backups().pageSize(2));

        assertTrue(result.served());
        assertEquals("100", result.resourceVersion(), "the first page's version, for the watch to start from");
        assertEquals(List.of("a", "b", "c", "d", "e"), handedOut);
        assertEquals(Set.of("uid-a", "uid-b", "uid-c", "uid-d", "uid-e"), seen);
        assertEquals(List.of("limit=2 continue=-", "limit=2 continue=t1", "limit=2 continue=t2"), pagesRequested());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    @DisplayName("410 on a continue token restarts the list from the start without handing out a UID twice")
    void expiredContinueTokenRestartsTheListWithoutDuplicates() throws Exception {
        server.on(
                        null,
                        () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90"), object(NS, "b", "uid-b", "91")),
                        () -> Wire.list("200", "t9", object(NS, "a", "uid-a", "90"), object(NS, "b", "uid-b", "91")))
                .on("t1", () -> MockCluster.status(410, "Expired", "The provided continue parameter is too old"))
                .on("t9", () -> Wire.list("200", null, object(NS, "c", "uid-c", "92")));

        Lister.Result result = list(backups().pageSize(2));

        assertEquals(List.of("a", "b", "c"), handedOut);
        assertEquals(
                List.of("limit=2 continue=-", "limit=2 continue=t1", "limit=2 continue=-", "limit=2 continue=t9"),
                pagesRequested());
        assertEquals("200", result.resourceVersion(), "the expired list's version is too old to watch from");
        assertEquals(List.of(), time.sleeps(), "a restart is not a retry: no backoff");
    }

    @Test
    @DisplayName("a continue token that keeps expiring ends the list with a failure instead of restarting forever")
    void continueTokenThatKeepsExpiringEndsTheListAfterBoundedRestarts() {
        server.on(null, () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90")))
                .on("t1", () -> MockCluster.status(410, "Expired", "The provided continue parameter is too old"));

        Lister.ListFailure failure = assertThrows(Lister.ListFailure.class, () -> list(backups()));

        assertEquals(410, failure.code());
        assertEquals(List.of("a"), handedOut);
        long firstPages =
                pagesRequested().stream().filter(p -> p.endsWith("continue=-")).count();
        assertEquals(6, firstPages, "the first list and five restarts: " + pagesRequested());
    }

    @Test
    @DisplayName("404 on the first page: the resource type is not served, which is not a failure")
    void notFoundOnTheFirstPageMeansNotServed() throws Exception {
        server.on(null, () -> Wire.text(404, "404 page not found\n"));

        Lister.Result result = list(backups());

        assertFalse(result.served());
        assertEquals("404 page not found", result.notServedMessage());
        assertEquals(List.of(), handedOut);
        assertEquals(1, pagesRequested().size(), "a 404 is not retried");
    }

    @Test
    @DisplayName("404 on a later page, after objects were handed out, is a list failure, not \"not served\"")
    void notFoundAfterObjectsWereHandedOutIsAListFailure() {
        server.on(null, () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90")))
                .on("t1", () -> Wire.text(404, "404 page not found\n"));

        Lister.ListFailure failure = assertThrows(Lister.ListFailure.class, () -> list(backups()));

        assertEquals(404, failure.code());
        assertEquals(1, failure.page, "the page that failed, counted from 0");
        assertEquals("404 Not Found: 404 page not found", failure.getMessage());
        assertEquals(List.of("a"), handedOut);
    }

    @Test
    @DisplayName("404 on the first page of a restarted list, after objects were handed out, is a list failure")
    void notFoundOnARestartedListAfterObjectsWereHandedOutIsAListFailure() {
        server.on(
                        null,
                        () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90")),
                        () -> Wire.text(404, "404 page not found\n"))
                .on("t1", () -> MockCluster.status(410, "Expired", "The provided continue parameter is too old"));

        Lister.ListFailure failure = assertThrows(Lister.ListFailure.class, () -> list(backups()));

        assertEquals(404, failure.code());
        assertEquals(List.of("a"), handedOut);
    }

    @Test
    @DisplayName("a server that ignores the label selector cannot widen the scope: the lister filters again")
    void serverIgnoringTheSelectorCannotWidenTheScope() throws Exception {
        // the fabric8 mock ignores set-based selectors; so may a proxy or an old server
        server.on(
                null,
                () -> Wire.list(
                        "100",
                        null,
                        object(NS, "keep", "uid-1", "1", Map.of("app", "keep"), List.of()),
                        object(NS, "other-app", "uid-2", "2", Map.of("app", "other"), List.of()),
                        object(NS, "unlabelled", "uid-3", "3"),
                        object(NS, "database", "uid-4", "4", Map.of("app", "keep", "tier", "db"), List.of()),
                        object("elsewhere", "other-ns", "uid-5", "5", Map.of("app", "keep"), List.of()),
                        object(NS, "keep-too", "uid-6", "6", Map.of("app", "keep", "tier", "web"), List.of())));

        list(backups().labelSelector("app in (keep),tier!=db"));

        assertEquals(List.of("keep", "keep-too"), handedOut);
        String sent = cluster.recorded().get(0).path();
        assertEquals("app in (keep),tier!=db", Wire.param(sent, "labelSelector"), "the selector is still sent");
    }

    @Test
    @DisplayName("401 on list: one request, and a message saying the server refused the client's credentials")
    void unauthorizedListFailsOnceNamingTheRefusedCredentials() {
        server.on(null, () -> MockCluster.status(401, "Unauthorized", "Unauthorized"));

        Lister.ListFailure failure = assertThrows(Lister.ListFailure.class, () -> list(backups()));

        assertEquals(401, failure.code());
        assertEquals(0, failure.page);
        String base = cluster.client().getBasePath().replaceAll("/$", "");
        assertEquals(
                "401 Unauthorized: Unauthorized; the API server at " + base + " refused the client's credentials",
                failure.getMessage());
        assertEquals(1, pagesRequested().size());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    @DisplayName("403 on list: one request, and a message naming the verb, the type and the namespace")
    void forbiddenListFailsOnceWithAnRbacHint() {
        server.on(
                null,
                () -> MockCluster.status(
                        403,
                        "Forbidden",
                        "backups.longhorn.io is forbidden: User \"ci\" cannot list resource \"backups\""));

        Lister.ListFailure failure = assertThrows(Lister.ListFailure.class, () -> list(backups()));

        assertEquals(403, failure.code());
        assertEquals(
                "403 Forbidden: backups.longhorn.io is forbidden: User \"ci\" cannot list resource \"backups\"; "
                        + "RBAC does not let this client 'list' backups.longhorn.io in namespace test-ns",
                failure.getMessage());
        assertEquals(1, pagesRequested().size());
    }

    @Test
    @DisplayName("a 503 on a later page is retried with backoff and the list goes on from the same token")
    void transientErrorOnALaterPageIsRetriedWithoutRestartingTheList() throws Exception {
        server.on(null, () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90")))
                .on(
                        "t1",
                        () -> MockCluster.status(503, "ServiceUnavailable", "etcd leader changed"),
                        () -> Wire.list("100", null, object(NS, "b", "uid-b", "91")));

        list(backups());

        assertEquals(List.of("a", "b"), handedOut);
        assertEquals(
                List.of("limit=500 continue=-", "limit=500 continue=t1", "limit=500 continue=t1"), pagesRequested());
        assertEquals(VirtualTime.millis(100), time.sleeps());
    }

    @Test
    @DisplayName("at the deadline the list stops between pages, saying how far it got")
    void listingStopsAtTheDeadlineBetweenPages() {
        server.on(null, () -> Wire.list("100", "t1", object(NS, "a", "uid-a", "90")))
                .on("t1", () -> Wire.list("100", null, object(NS, "b", "uid-b", "91")));
        Stages stages = new Stages(
                cluster.client(), backups().timeout(Duration.ofSeconds(5)).spec());

        Lister.ListFailure failure = assertThrows(
                Lister.ListFailure.class,
                () -> stages.lister().list(stages.deadline, seen, (ref, labels) -> {
                    handedOut.add(ref.name());
                    time.advance(Duration.ofSeconds(6)); // handling the first page used up the run's time
                }));

        assertEquals("deadline reached while listing (after 1 page)", failure.getMessage());
        assertEquals(List.of("a"), handedOut);
        assertEquals(1, pagesRequested().size(), "no request after the deadline");
    }

    /**
     * Answers the list of {@link #PATH} from a script: per continue token ({@code null} for a first page), the next
     * answer in line, the last one repeated. An unscripted token gets a 400 (not retried), failing the test.
     */
    static final class ListScript implements MockCluster.Interceptor {
        private final Map<String, Deque<Supplier<MockResponse>>> answers = new ConcurrentHashMap<>();

        @SafeVarargs
        final ListScript on(String continueToken, Supplier<MockResponse>... inLine) {
            answers.put(Objects.requireNonNullElse(continueToken, ""), new ArrayDeque<>(List.of(inLine)));
            return this;
        }

        @Override
        public MockResponse intercept(RecordedRequest request, MockCluster cluster) {
            if (!request.getMethod().equals("GET")
                    || !Wire.path(request.getPath()).equals(PATH)) {
                return null;
            }
            String token = Objects.requireNonNullElse(Wire.param(request.getPath(), "continue"), "");
            Deque<Supplier<MockResponse>> queue = answers.get(token);
            if (queue == null) {
                return MockCluster.status(400, "BadRequest", "no scripted answer for continue=" + token);
            }
            synchronized (queue) {
                return (queue.size() > 1 ? queue.poll() : queue.peek()).get();
            }
        }
    }
}
