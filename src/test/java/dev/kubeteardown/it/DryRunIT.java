package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Server-side dry run ({@code dryRun=All}, checked by the real server) and client-side dry run. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class DryRunIT {

    private static final Set<String> NAMES = Set.of("dry-1", "dry-2", "dry-3");

    private final RealApiServer server;
    private ItNamespace ns;

    DryRunIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createBackups() throws Exception {
        ns = ItNamespace.create(server, "dryrun");
        for (String name : NAMES) {
            ns.create(backup(name).finalizer(ItNamespace.FINALIZER));
        }
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName("server dry run: WOULD_DELETE for each, every DELETE carries dryRun=All, nothing deleted or marked")
    void serverDryRunDeletesNothing() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .dryRun(DryRun.SERVER)
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(3, report.count(Outcome.Status.WOULD_DELETE), report.table());
        assertTrue(report.isClean());
        report.outcomes().forEach(o -> assertEquals("server-side dry run accepted the delete", o.detail()));
        assertEquals(3, log.count(RequestLog.delete(BACKUPS)), log.describe());
        for (RequestLog.Sent delete : log.matching(RequestLog.delete(BACKUPS))) {
            assertEquals("All", delete.query("dryRun"), delete.toString());
            assertEquals(200, delete.code(), delete.toString());
        }
        assertEquals(0, log.count(RequestLog.watch(BACKUPS)), "nothing to wait for: " + log.describe());
        assertEquals(NAMES, ns.names(BACKUPS));
        for (String name : NAMES) {
            assertNull(ItNamespace.deletionTimestampOf(ns.get(BACKUPS, name).orElseThrow()), name + " not even marked");
        }
    }

    @Test
    @DisplayName("server dry run with the limited token: FAILED 403, RBAC is checked even in dry run")
    void serverDryRunStillChecksRbac() throws Exception {
        ApiClient limited = server.limitedClient();
        RequestLog log = RequestLog.attachTo(limited);

        CleanupReport report = BackupCleanup.builder(limited)
                .namespace(ns.name())
                .dryRun(DryRun.SERVER)
                .timeout(Duration.ofSeconds(20))
                .build()
                .execute();

        assertEquals(3, report.count(Outcome.Status.FAILED), report.table());
        for (Outcome o : report.outcomes()) {
            assertEquals(403, o.httpStatus(), o.toString());
            assertTrue(
                    o.detail().contains("cannot delete resource \"backups\" in API group \"longhorn.io\""), o.detail());
            assertTrue(
                    o.detail()
                            .endsWith("RBAC does not let this client 'delete' backups.longhorn.io in namespace "
                                    + ns.name()),
                    o.detail());
        }
        for (RequestLog.Sent delete : log.matching(RequestLog.delete(BACKUPS))) {
            assertEquals("All", delete.query("dryRun"), delete.toString());
        }
        assertEquals(NAMES, ns.names(BACKUPS));
    }

    @Test
    @DisplayName("client dry run: WOULD_DELETE for each and not a single mutating request")
    void clientDryRunSendsNoDelete() throws Exception {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .dryRun(true)
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(3, report.count(Outcome.Status.WOULD_DELETE), report.table());
        assertEquals(0, log.count(RequestLog.mutating()), log.describe());
        assertEquals(Map.of(), log.deletesPerName(BACKUPS));
        assertEquals(1, log.count(RequestLog.list(BACKUPS)), log.describe());
        assertEquals(NAMES, ns.names(BACKUPS));
    }
}
