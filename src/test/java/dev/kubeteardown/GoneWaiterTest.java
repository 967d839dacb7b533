package dev.kubeteardown;

import static dev.kubeteardown.Wire.event;
import static dev.kubeteardown.Wire.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The waiter alone, on a virtual clock: gone by UID through watch events, the poll fallback and its interval, the
 * resync after an expired resourceVersion, and what is left at the deadline.
 */
@Timeout(60)
class GoneWaiterTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "test-ns";
    static final String PATH = "/apis/longhorn.io/v1beta2/namespaces/test-ns/backups";
    static final List<String> HELD = List.of("longhorn.io");

    MockCluster cluster;
    VirtualTime time;
    Stages stages;
    PendingDeletions pending;

    /** Scripted watch answers, in order; once used up, each watch ends at once without an event. */
    final Deque<Supplier<MockResponse>> watches = new ArrayDeque<>();
    /** What a scripted list shows, by UID, and at which resourceVersion. */
    final Map<String, JsonObject> present = new ConcurrentHashMap<>();

    volatile String listVersion = "20";

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        time = new VirtualTime();
    }

    @AfterEach
    void stop() {
        if (stages != null) {
            stages.close();
        }
        cluster.close();
    }

    Cleanup.Builder backups() {
        return Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(3))
                .sleeper(time)
                .ticker(time);
    }

    /** The server answers watches and lists of {@link #PATH} from the script instead of its store. */
    void scripted() {
        cluster.intercept((r, c) -> {
            if (!r.getMethod().equals("GET") || !Wire.path(r.getPath()).equals(PATH)) {
                return null;
            }
            if ("true".equals(Wire.param(r.getPath(), "watch"))) {
                synchronized (watches) {
                    Supplier<MockResponse> next = watches.poll();
                    return next != null ? next.get() : Wire.watch();
                }
            }
            return Wire.list(listVersion, null, present.values().toArray(JsonObject[]::new));
        });
    }

    @SafeVarargs
    final void watchAnswers(Supplier<MockResponse>... inLine) {
        synchronized (watches) {
            watches.addAll(List.of(inLine));
        }
    }

    /** Stages over {@code builder}'s spec, with {@code refs} deleted by this run and waited on. */
    void waitingFor(Cleanup.Builder builder, ObjectRef... refs) {
        stages = new Stages(cluster.client(), builder.spec());
        pending = stages.pending();
        for (ObjectRef ref : refs) {
            stages.listed(ref);
            pending.add(new PendingDeletion(ref, 1, stages.deadline.nanoTime(), "", true));
        }
    }

    static ObjectRef ref(String name, String uid) {
        return ObjectRef.of(object(NS, name, uid, "5"));
    }

    /** Each request to the collection: {@code watch rv=..} or {@code list}. */
    List<String> requests() {
        return cluster.recorded().stream()
                .filter(r -> r.method().equals("GET") && Wire.path(r.path()).equals(PATH))
                .map(r -> "true".equals(Wire.param(r.path(), "watch"))
                        ? "watch rv=" + Wire.param(r.path(), "resourceVersion")
                        : "list")
                .toList();
    }

    @Test
    @DisplayName("each DELETED event ends the wait for its UID; each watch resumes from the last event seen")
    void deletedEventEndsTheWaitForThatUid() throws Exception {
        scripted();
        watchAnswers(
                () -> Wire.watch(event("DELETED", object(NS, "a", "uid-a", "11"))),
                () -> Wire.watch(event("DELETED", object(NS, "b", "uid-b", "12"))));
        waitingFor(backups(), ref("a", "uid-a"), ref("b", "uid-b"));

        stages.waiter().await(pending, "10", stages.deadline);

        assertTrue(pending.isEmpty());
        assertEquals(Outcome.Status.DELETED, stages.outcome("a").status());
        assertEquals("confirmed gone by watch", stages.outcome("a").detail());
        assertEquals(Outcome.Status.DELETED, stages.outcome("b").status());
        assertEquals(List.of("watch rv=10", "watch rv=11"), requests(), "no list, no third watch");
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    @DisplayName("a DELETED event for a same-name object with another UID does not end the wait")
    void deletedEventForASameNameObjectWithAnotherUidDoesNotCount() throws Exception {
        scripted();
        watchAnswers(
                // a replacement created under the same name after our list, deleted by someone else
                () -> Wire.watch(event("DELETED", object(NS, "a", "uid-replacement", "11"))),
                () -> Wire.watch(event("DELETED", object(NS, "a", "uid-a", "12"))));
        waitingFor(backups(), ref("a", "uid-a"));

        stages.waiter().await(pending, "10", stages.deadline);

        assertEquals(List.of("watch rv=10", "watch rv=11"), requests(), "still waiting after the replacement went");
        assertEquals("uid-a", stages.outcome("a").uid());
        assertEquals(Outcome.Status.DELETED, stages.outcome("a").status());
    }

    @Test
    @DisplayName("a server that does not serve the watch (the fabric8 mock) is polled instead")
    void serverWithoutWatchFallsBackToPolling() throws Exception {
        // no script: the mock answers the HTTP watch with 400 and lists from its store
        cluster.create(BACKUPS, NS, "a");
        time.onSleep(slept -> cluster.deleteNow(BACKUPS, NS, "a")); // gone during the first pause
        waitingFor(backups(), ObjectRef.of(cluster.get(BACKUPS, NS, "a")));

        stages.waiter().await(pending, "1", stages.deadline);

        assertTrue(pending.isEmpty());
        assertEquals(Outcome.Status.DELETED, stages.outcome("a").status());
        assertEquals("confirmed gone by list", stages.outcome("a").detail());
        assertEquals(List.of("watch rv=1", "list", "list"), requests());
        assertEquals(VirtualTime.millis(25), time.sleeps());
    }

    @Test
    @DisplayName("a watch forbidden by RBAC (403): polled instead, and the report notes the missing 'watch' verb")
    void forbiddenWatchPollsAndNotesTheMissingVerb() throws Exception {
        scripted();
        JsonObject status = new JsonObject();
        status.addProperty("kind", "Status");
        status.addProperty("code", 403);
        status.addProperty(
                "message",
                "backups.longhorn.io is forbidden: User \"x\" cannot watch resource \"backups\" in API group"
                        + " \"longhorn.io\" in the namespace \"test-ns\"");
        watchAnswers(() -> Wire.json(403, status));
        waitingFor(backups(), ref("a", "uid-a")); // not in the scripted list: gone at the first look

        stages.waiter().await(pending, "10", stages.deadline);

        assertTrue(pending.isEmpty());
        assertEquals("confirmed gone by list", stages.outcome("a").detail());
        assertEquals(List.of("watch rv=10", "list"), requests(), "one refused watch, then lists only");
        assertEquals(
                List.of("the watch of backups.longhorn.io was refused (403 Forbidden: backups.longhorn.io is forbidden:"
                        + " User \"x\" cannot watch resource \"backups\" in API group \"longhorn.io\" in the"
                        + " namespace \"test-ns\"; RBAC does not let this client 'watch' backups.longhorn.io in"
                        + " namespace test-ns): waited by listing instead"),
                stages.ledger.report().notes());
    }

    @Test
    @DisplayName("410 on the watch (expired resourceVersion): one list resyncs, and the watch resumes from its version")
    void expiredResourceVersionOnTheWatchResyncsByListing() throws Exception {
        scripted();
        watchAnswers(
                () -> MockCluster.status(410, "Expired", "too old resource version: 10 (20)"),
                () -> Wire.watch(event("DELETED", object(NS, "a", "uid-a", "21"))));
        present.put("uid-a", object(NS, "a", "uid-a", "15", Map.of(), HELD));
        waitingFor(backups(), ref("a", "uid-a"));

        stages.waiter().await(pending, "10", stages.deadline);

        assertEquals(List.of("watch rv=10", "list", "watch rv=20"), requests());
        assertEquals("confirmed gone by watch", stages.outcome("a").detail());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    @DisplayName("an ERROR event with code 410 on the watch resyncs by listing, as a 410 answer does")
    void expiredErrorEventOnTheWatchResyncsByListing() throws Exception {
        scripted();
        watchAnswers(
                () -> Wire.watch(Wire.expiredEvent()),
                () -> Wire.watch(event("DELETED", object(NS, "a", "uid-a", "21"))));
        present.put("uid-a", object(NS, "a", "uid-a", "15", Map.of(), HELD));
        waitingFor(backups(), ref("a", "uid-a"));

        stages.waiter().await(pending, "10", stages.deadline);

        assertEquals(List.of("watch rv=10", "list", "watch rv=20"), requests());
        assertEquals("confirmed gone by watch", stages.outcome("a").detail());
    }

    @Test
    @DisplayName("what is still there at the deadline stays pending, refreshed as last seen; the rest is decided")
    void whateverIsLeftAtTheDeadlineStaysPending() throws Exception {
        scripted();
        JsonObject held = object(NS, "b", "uid-b", "16", Map.of(), HELD);
        held.getAsJsonObject("metadata").addProperty("deletionTimestamp", "2026-12-04T12:00:00Z");
        present.put("uid-b", held);
        waitingFor(backups().waitStrategy(WaitStrategy.POLL), ref("a", "uid-a"), ref("b", "uid-b"));

        stages.waiter().await(pending, "10", stages.deadline);

        assertTrue(stages.deadline.isExpired(), "returned at the deadline, not before");
        assertEquals(Set.of("uid-b"), pending.identities());
        ObjectRef lastSeen = pending.snapshot().get(0).ref();
        assertEquals(HELD, lastSeen.finalizers(), "kept for the STUCK report");
        assertEquals("2026-12-04T12:00:00Z", lastSeen.deletionTimestamp());
        assertEquals(
                List.of("a"),
                stages.ledger.snapshot().stream().map(Outcome::name).toList());
        assertEquals(Outcome.Status.DELETED, stages.outcome("a").status());
        assertTrue(requests().stream().allMatch("list"::equals), "POLL never watches: " + requests());
    }

    @Test
    @DisplayName("the poll interval doubles from 25 ms up to 1 s, and the last pause ends at the deadline")
    void pollIntervalDoublesUpToOneSecondAndStopsAtTheDeadline() throws Exception {
        scripted();
        present.put("uid-a", object(NS, "a", "uid-a", "15", Map.of(), HELD));
        waitingFor(backups().waitStrategy(WaitStrategy.POLL), ref("a", "uid-a"));

        stages.waiter().await(pending, "10", stages.deadline);

        assertEquals(VirtualTime.millis(25, 50, 100, 200, 400, 800, 1000, 425), time.sleeps());
        List<String> expectedLists = new ArrayList<>();
        time.sleeps().forEach(s -> expectedLists.add("list"));
        assertEquals(expectedLists, requests(), "one list of the scope per round, none after the deadline");
        assertEquals(Set.of("uid-a"), pending.identities());
    }
}
