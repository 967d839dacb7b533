package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real RBAC: the "limited" user may get, list and watch backups and backupvolumes, and nothing else (see {@link
 * RealApiServer#LIMITED_ROLE}).
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class RbacIT {

    private final RealApiServer server;
    private ItNamespace ns;

    RbacIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "rbac");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName(
            "a delete forbidden by RBAC is FAILED 403 naming verb, resource and namespace; the object survives; run() throws")
    void forbiddenDeleteIsFailedNotRetried() throws Exception {
        Map<String, Map<String, Object>> created = Map.of(
                "kept-1", ns.create(backup("kept-1")),
                "kept-2", ns.create(backup("kept-2")));
        ApiClient limited = server.limitedClient();
        RequestLog log = RequestLog.attachTo(limited);
        BackupCleanup cleanup = BackupCleanup.builder(limited)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(20))
                .build();

        CleanupReport report = cleanup.execute();

        assertEquals(2, report.count(Outcome.Status.FAILED), report.table());
        for (Outcome o : report.outcomes()) {
            assertEquals(403, o.httpStatus(), o.toString());
            assertEquals(ItNamespace.uidOf(created.get(o.name())), o.uid());
            assertEquals(1, o.attempts(), "403 is never retried: " + o);
            assertEquals(
                    "403 Forbidden: backups.longhorn.io \"" + o.name()
                            + "\" is forbidden: User \"limited\" cannot delete"
                            + " resource \"backups\" in API group \"longhorn.io\" in the namespace \"" + ns.name()
                            + "\"; not retried:"
                            + " RBAC does not let this client 'delete' backups.longhorn.io in namespace " + ns.name(),
                    o.detail());
        }
        assertEquals(Map.of("kept-1", 1L, "kept-2", 1L), log.deletesPerName(BACKUPS), log.describe());
        assertEquals(Set.of("kept-1", "kept-2"), ns.names(BACKUPS));
        for (String name : List.of("kept-1", "kept-2")) {
            assertEquals(
                    null, ItNamespace.deletionTimestampOf(ns.get(BACKUPS, name).orElseThrow()), name + " untouched");
        }

        CleanupFailedException e = assertThrows(CleanupFailedException.class, cleanup::run);
        assertTrue(
                e.getMessage()
                        .startsWith("Cleanup of backups.longhorn.io/v1beta2 in namespace " + ns.name()
                                + " is not clean: 2 objects FAILED or STUCK\n  FAILED backups.longhorn.io " + ns.name()
                                + "/kept-1: 403 Forbidden"),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("\n  FAILED backups.longhorn.io " + ns.name() + "/kept-2: 403 Forbidden"),
                e.getMessage());
        assertEquals(2, e.getSuppressed().length);
        Set<String> suppressed = Arrays.stream(e.getSuppressed())
                .map(s -> ((CleanupFailedException.ObjectCleanupException) s)
                        .outcome()
                        .name())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("kept-1", "kept-2"), suppressed);
        assertEquals(2, e.report().count(Outcome.Status.FAILED));
        assertEquals(Set.of("kept-1", "kept-2"), ns.names(BACKUPS), "still there after run()");
    }

    @Test
    @DisplayName("a resource the token cannot even list: CleanupConfigurationException naming 'list', nothing deleted")
    void forbiddenListIsConfigurationError() throws Exception {
        ApiClient limited = server.limitedClient();
        RequestLog log = RequestLog.attachTo(limited);
        ResourceType backupTargets = ResourceType.namespaced("longhorn.io", "v1beta2", "backuptargets");

        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class,
                () -> Cleanup.builder(limited, backupTargets)
                        .namespace(ns.name())
                        .build()
                        .execute());

        assertEquals(
                "cannot list backuptargets.longhorn.io/v1beta2 in namespace " + ns.name() + ": 403 Forbidden:"
                        + " backuptargets.longhorn.io is forbidden: User \"limited\" cannot list resource \"backuptargets\" in API group"
                        + " \"longhorn.io\" in the namespace \"" + ns.name()
                        + "\"; RBAC does not let this client 'list'"
                        + " backuptargets.longhorn.io in namespace " + ns.name(),
                e.getMessage());
        assertEquals(1, log.count(RequestLog.list("backuptargets")), "403 on list is not retried: " + log.describe());
        assertEquals(0, log.count(RequestLog.mutating()), log.describe());
    }
}
