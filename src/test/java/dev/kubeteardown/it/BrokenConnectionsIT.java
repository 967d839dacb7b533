package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.testing.FaultProxy;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Teardowns whose connections break: the client talks to the real API server through a {@link FaultProxy}, and the
 * promises are checked with the admin client directly (not through the proxy): nothing outside the scope touched,
 * nothing reported gone that still exists, one outcome per object, back by the deadline plus the final check.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class BrokenConnectionsIT {

    private static final int OBJECTS = 200;
    private static final int DECOYS = 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    private final RealApiServer server;

    BrokenConnectionsIT(RealApiServer server) {
        this.server = server;
    }

    /** Seeds a world, runs its teardown through a proxy set up by {@code setup}, and checks the promises. */
    private CleanupReport tearDownThrough(String name, String finalizer, Duration requestTimeout, FaultSetup setup)
            throws Exception {
        try (ScopedWorld world = ScopedWorld.seed(server, name, OBJECTS, DECOYS, finalizer);
                FaultProxy proxy = new FaultProxy(ScopedWorld.apiPort(server), 32)) {
            ApiClient client = ScopedWorld.adminClientVia(server, proxy.port());
            CountDownLatch deleting = ScopedWorld.afterDeletes(client, OBJECTS / 4);
            CountDownLatch allDeletesSent = ScopedWorld.afterDeletes(client, OBJECTS);
            ScopedWorld.Started started = ScopedWorld.start(
                    world.cleanup(client)
                            .timeout(TIMEOUT)
                            .requestTimeout(requestTimeout)
                            .build(),
                    TIMEOUT);
            setup.during(proxy, world, started, deleting, allDeletesSent);
            ScopedWorld.Run run = started.await();
            CleanupReport report = run.report();
            assertEquals(List.of(), world.violations(report, TIMEOUT, run.took()), report.summary());
            ItTiming.print(
                    "broken connections (%s): %d backups, run %d ms (timeout %d s), %d connections %s: %s",
                    name,
                    OBJECTS,
                    run.took().toMillis(),
                    TIMEOUT.toSeconds(),
                    proxy.connections(),
                    proxy.counts(),
                    report.tally());
            return report;
        }
    }

    @FunctionalInterface
    private interface FaultSetup {
        void during(
                FaultProxy proxy,
                ScopedWorld world,
                ScopedWorld.Started run,
                CountDownLatch deleting,
                CountDownLatch allDeletesSent)
                throws Exception;
    }

    @Test
    @DisplayName(
            "every connection reset after 16-40 KB once deleting: no over-delete, no false clean, one outcome each, no hang")
    void connectionsResetAfterSomeBytes() throws Exception {
        tearDownThrough("reset", null, Duration.ofSeconds(10), (proxy, world, run, deleting, all) -> {
            // once deleting: a first list of 200 metadata-only items is ~120 KB, under the server's gzip
            // threshold, so resetting from the start would only test that an unlistable scope fails
            assertTrue(ScopedWorld.awaitWhileRunning(deleting, run, Duration.ofSeconds(30)), "deleting");
            proxy.policy(i -> new FaultProxy.ResetAfter(16_000 + 8_000 * (i % 4)));
            proxy.cutAll();
        });
    }

    @Test
    @DisplayName(
            "every other connection a black hole, switched on mid-run with all connections cut: honest outcomes, no hang")
    void blackHoledConnections() throws Exception {
        tearDownThrough("blackhole", null, Duration.ofSeconds(3), (proxy, world, run, deleting, all) -> {
            assertTrue(ScopedWorld.awaitWhileRunning(deleting, run, Duration.ofSeconds(30)), "deleting");
            proxy.policy(i -> i % 2 == 0 ? FaultProxy.BLACK_HOLE : FaultProxy.PASS);
            proxy.cutAll();
        });
    }

    @Test
    @DisplayName("the server's bytes trickled (512 B per 5 ms) on every connection: honest outcomes, no hang")
    void trickledAnswers() throws Exception {
        tearDownThrough(
                "trickle",
                null,
                Duration.ofSeconds(10),
                (proxy, world, run, deleting, all) ->
                        proxy.policy(i -> new FaultProxy.Trickle(512, Duration.ofMillis(5))));
    }

    @Test
    @DisplayName(
            "the watch stream dropped mid-wait (all connections cut after the deletes), then finalizers released: all DELETED")
    void watchDroppedMidWait() throws Exception {
        CleanupReport report = tearDownThrough(
                "watchdrop", ItNamespace.FINALIZER, Duration.ofSeconds(10), (proxy, world, run, deleting, all) -> {
                    assertTrue(ScopedWorld.awaitWhileRunning(all, run, Duration.ofSeconds(30)), "all deletes sent");
                    // every DELETE accepted before the cut: they hold a deletionTimestamp now
                    RealApiServer.await(
                            "every backup marked for deletion",
                            Duration.ofSeconds(30),
                            () -> world.ns.list(BACKUPS).stream()
                                            .filter(o -> !ItNamespace.nameOf(o).startsWith("decoy"))
                                            .allMatch(o -> ItNamespace.deletionTimestampOf(o) != null)
                                    ? Optional.of(true)
                                    : Optional.empty());
                    assertTrue(proxy.cutAll() > 0, "a connection (the watch) was open");
                    for (String name : world.inScope.values()) {
                        world.ns.removeFinalizers(BACKUPS, name);
                    }
                });
        assertEquals(OBJECTS, report.count(Outcome.Status.DELETED), report.summary());
        assertTrue(report.isClean(), report.summary());
    }
}
