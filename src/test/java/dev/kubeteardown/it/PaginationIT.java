package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Listing over several pages with the real server's limit/continue. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class PaginationIT {

    private static final int OBJECTS = 1_200;
    private static final int PAGE = 500;

    private final RealApiServer server;
    private ItNamespace ns;

    PaginationIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "paging");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName(
            "1,200 backups over pages of 500: every one deleted exactly once, list requests carry limit=500 and continue")
    void everyObjectOfEveryPageDeletedOnce() throws Exception {
        List<ItNamespace.BackupSpec> specs = new ArrayList<>();
        for (int i = 0; i < OBJECTS; i++) {
            specs.add(backup(String.format("page-%04d", i)).label("backup-volume", "vol-" + (i % 7)));
        }
        long t0 = System.nanoTime();
        Set<String> all = new TreeSet<>(ns.createAll(specs, 16).keySet());
        long createMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(OBJECTS, all.size());

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        long t1 = System.nanoTime();
        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .pageSize(PAGE)
                .timeout(Duration.ofSeconds(90))
                .build()
                .run();
        long cleanupMillis = (System.nanoTime() - t1) / 1_000_000;

        assertEquals(OBJECTS, report.outcomes().size(), report.summary());
        assertEquals(OBJECTS, report.count(Outcome.Status.DELETED), report.summary());
        assertTrue(report.isClean(), report.summary());
        // exactly one DELETE per object, nothing missed, nothing twice
        Map<String, Long> deletes = log.deletesPerName(BACKUPS);
        assertEquals(all, deletes.keySet());
        assertTrue(deletes.values().stream().allMatch(n -> n == 1), "some object got more than one DELETE");
        Set<String> reported = new TreeSet<>();
        report.outcomes().forEach(o -> assertTrue(reported.add(o.name()), "two outcomes for " + o.name()));
        assertEquals(all, reported);

        // the first pass: 3 pages; 1st without continue, 2nd and 3rd with the token of the page before
        List<RequestLog.Sent> lists = log.matching(RequestLog.list(BACKUPS));
        assertTrue(lists.size() >= 3, log.matching(RequestLog.list(BACKUPS)).toString());
        for (RequestLog.Sent list : lists) {
            assertEquals(Integer.toString(PAGE), list.query("limit"), list.toString());
        }
        assertNull(lists.get(0).query("continue"), lists.get(0).toString());
        assertNotNull(lists.get(1).query("continue"), lists.get(1).toString());
        assertNotNull(lists.get(2).query("continue"), lists.get(2).toString());
        assertEquals(Set.of(), ns.names(BACKUPS));

        long watches = log.count(RequestLog.watch(BACKUPS));
        ItTiming.print(
                "pagination: created %d backups in %d ms (16 threads); cleanup of %d over pages of %d in %d ms"
                        + " (parallelism %d): %d list requests (%d with continue), %d DELETE, %d watch requests",
                OBJECTS,
                createMillis,
                OBJECTS,
                PAGE,
                cleanupMillis,
                CleanupBuilder.DEFAULT_PARALLELISM,
                lists.size(),
                lists.stream().filter(l -> l.query("continue") != null).count(),
                log.count(RequestLog.delete(BACKUPS)),
                watches);
    }
}
