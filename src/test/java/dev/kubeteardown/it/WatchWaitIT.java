package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.FINALIZER;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.WaitStrategy;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a run waits for objects held by finalizers that a controller releases ~500 ms after the delete, seen on the
 * wire. From {@code CleanupRun}/{@code GoneWaiter}: after the deletes, {@link WaitStrategy#WATCH} opens one watch
 * from the list's resourceVersion and returns when the last DELETED event arrives; the final confirmation list
 * ({@code GoneWaiter.confirm}) and the failure re-check only run when something is left pending or FAILED, so with
 * every object gone there is no list at all after the deletes. {@link WaitStrategy#POLL} lists the scope every 25 ms
 * doubling to 1 s. Reaction latencies are printed (not asserted).
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class WatchWaitIT {

    private static final int OBJECTS = 5;
    private static final Duration RELEASE_DELAY = Duration.ofMillis(500);

    private final RealApiServer server;
    private ItNamespace ns;

    WatchWaitIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createBackups() throws Exception {
        ns = ItNamespace.create(server, "watch");
        for (int i = 1; i <= OBJECTS; i++) {
            ns.create(backup("held-" + i).finalizer(FINALIZER));
        }
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    /** A run with the controller releasing finalizers; returns the report and prints the reaction latency. */
    private CleanupReport runWithController(ApiClient client, WaitStrategy strategy) throws Exception {
        RealServerLonghornController controller = RealServerLonghornController.start(ns, RELEASE_DELAY, RELEASE_DELAY);
        CleanupReport report;
        long returned;
        try {
            report = BackupCleanup.builder(client)
                    .namespace(ns.name())
                    .waitStrategy(strategy)
                    .timeout(Duration.ofSeconds(20))
                    .build()
                    .run();
            returned = System.nanoTime();
        } finally {
            controller.close();
        }
        RealServerLonghornController.requireNoErrors(controller);
        assertEquals(OBJECTS, controller.finalizersRemoved());
        ItTiming.print(
                "%s wait reaction latency: %.1f ms from the last finalizer removal (patch answered) to the run"
                        + " returning (%.1f ms from the patch being sent); run took %d ms for %d objects released %d ms after"
                        + " deletion",
                strategy,
                (returned - controller.lastRemovalEndNanos()) / 1e6,
                (returned - controller.lastRemovalStartNanos()) / 1e6,
                report.duration().toMillis(),
                OBJECTS,
                RELEASE_DELAY.toMillis());
        return report;
    }

    /** When the first DELETE was sent ({@link System#nanoTime()}). */
    private static long firstDeleteNanos(RequestLog log) {
        return log.matching(RequestLog.delete(BACKUPS)).get(0).nanos();
    }

    @Test
    @DisplayName("WATCH: one watch request from the list's resourceVersion, no list polling after the deletes")
    void watchWaitIsEventDriven() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = runWithController(client, WaitStrategy.WATCH);

        assertEquals(OBJECTS, report.count(Outcome.Status.DELETED), report.table());
        report.outcomes().forEach(o -> assertEquals("confirmed gone by watch", o.detail()));
        List<RequestLog.Sent> lists = log.matching(RequestLog.list(BACKUPS));
        List<RequestLog.Sent> watches = log.matching(RequestLog.watch(BACKUPS));
        // What proves the wait event-driven is what is NOT sent once deleting starts: no list, no get. How many
        // watches it takes is the machine's business (a watch the server or a slow client closes is re-opened).
        assertEquals(OBJECTS, log.count(RequestLog.delete(BACKUPS)));
        long afterDeletes = firstDeleteNanos(log);
        assertFalse(lists.isEmpty(), log.describe());
        assertFalse(watches.isEmpty(), log.describe());
        assertEquals(
                List.of(),
                log.all().stream()
                        .filter(r -> r.nanos() > afterDeletes)
                        .filter(RequestLog.delete(BACKUPS)
                                .or(RequestLog.watch(BACKUPS))
                                .negate())
                        .toList(),
                "after the first delete only deletes and watches, no list/get polling: " + log.describe());
        assertTrue(watches.get(0).nanos() > afterDeletes);
        assertEquals("true", watches.get(0).query("allowWatchBookmarks"));
        assertTrue(
                watches.get(0).query("resourceVersion").matches("\\d+"),
                watches.get(0).toString());
        assertEquals(List.of(), ns.list(BACKUPS));
    }

    @Test
    @DisplayName("POLL: no watch; the scope is listed repeatedly (25 ms doubling) until every object is gone")
    void pollWaitLists() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = runWithController(client, WaitStrategy.POLL);

        assertEquals(OBJECTS, report.count(Outcome.Status.DELETED), report.table());
        report.outcomes().forEach(o -> assertEquals("confirmed gone by list", o.detail()));
        assertEquals(0, log.count(RequestLog.watch(BACKUPS)), log.describe());
        long afterDeletes = firstDeleteNanos(log);
        long polls = log.matching(RequestLog.list(BACKUPS)).stream()
                .filter(l -> l.nanos() > afterDeletes)
                .count();
        // At least the list that saw them gone. How many saw them held first (polls at 0, 25, 75, 175 ms... before a
        // release >= 500 ms after the deletes) depends on how long a list takes on this machine: printed, not asserted.
        assertTrue(polls >= 1, polls + " polls: " + log.describe());
        ItTiming.print("POLL wait: %d list requests after the deletes", polls);
        assertEquals(List.of(), ns.list(BACKUPS));
    }

    @Test
    @DisplayName(
            "WATCH whose resourceVersion is too old (410 Expired from the real server): one re-list, a new watch, all DELETED")
    void watchResyncsOnExpiredResourceVersion() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        AtomicBoolean rewritten = new AtomicBoolean();
        log.rewrite(request -> {
            if (request.url().pathSegments().get(request.url().pathSize() - 1).equals(BACKUPS)
                    && "true".equals(request.url().queryParameter("watch"))
                    && rewritten.compareAndSet(false, true)) {
                // resourceVersion 1 is older than anything the watch cache holds: the server answers "too old" (410)
                return request.newBuilder()
                        .url(request.url()
                                .newBuilder()
                                .setQueryParameter("resourceVersion", "1")
                                .build())
                        .build();
            }
            return request;
        });

        CleanupReport report = runWithController(client, WaitStrategy.WATCH);

        assertEquals(OBJECTS, report.count(Outcome.Status.DELETED), report.table());
        List<RequestLog.Sent> watches = log.matching(RequestLog.watch(BACKUPS));
        assertEquals(2, watches.size(), log.describe());
        assertEquals("1", watches.get(0).query("resourceVersion"));
        assertNotEquals("1", watches.get(1).query("resourceVersion"));
        long resyncLists = log.matching(RequestLog.list(BACKUPS)).stream()
                .filter(l -> l.nanos() > watches.get(0).nanos()
                        && l.nanos() < watches.get(1).nanos())
                .count();
        assertEquals(1, resyncLists, "one list between the expired watch and the new one: " + log.describe());
        assertEquals(
                2, log.count(RequestLog.list(BACKUPS)), "the first list and the resync, no polling: " + log.describe());
        report.outcomes().forEach(o -> assertEquals("confirmed gone by watch", o.detail()));
        assertEquals(List.of(), ns.list(BACKUPS));
    }
}
