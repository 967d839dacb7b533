package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.MissingPolicy;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Resource types the real server does not serve (CRD not installed, version not served) and missing namespaces. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class ResourceNotServedIT {

    private static final ResourceType NOT_INSTALLED =
            ResourceType.namespaced("longhorn.io", "v1beta2", "notinstalleds");

    private final RealApiServer server;
    private ItNamespace ns;

    ResourceNotServedIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "served");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName(
            "a CRD that is not installed: one SKIPPED scope outcome with the server's 404 message; clean; one GET only")
    void notInstalledTypeIsSkipped() {
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = Cleanup.builder(client, NOT_INSTALLED)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(10))
                .build()
                .run();

        assertEquals(1, report.outcomes().size(), report.table());
        Outcome skipped = report.outcomes().get(0);
        assertEquals(Outcome.Status.SKIPPED, skipped.status());
        assertTrue(skipped.isScopeOutcome());
        assertEquals(404, skipped.httpStatus());
        // a real 1.20 server answers an unknown resource of a served group version with a plain-text "404 page not
        // found"
        assertTrue(
                skipped.detail()
                        .startsWith("resource type notinstalleds.longhorn.io/v1beta2 is not served by the API"
                                + " server (404 on list: 404 page not found"),
                skipped.detail());
        assertTrue(skipped.detail().endsWith("); is its CRD installed and this version served?"), skipped.detail());
        assertTrue(report.isClean());
        assertEquals(1, log.all().size(), log.describe());
        assertEquals(0, log.count(RequestLog.mutating()));
    }

    /**
     * ENGINE BUG (fails until fixed): the real server's 404 for an unknown resource is the plain-text body {@code "404 page
     * not found\n"}; {@code KubeApi.HttpResult.message()} quotes a non-JSON body unchanged, so the SKIPPED detail, the
     * WARN log line and the exception message carry a line break in the middle: {@code "...(404 on list: 404 page not
     * found\n); is its CRD installed..."}. Fix: strip the raw body in {@code message()}.
     */
    @Test
    @DisplayName(
            "BUG: the SKIPPED detail for a real server's plain-text 404 is one line (the raw body's newline is kept)")
    void notServedDetailIsOneLine() {
        CleanupReport report = Cleanup.builder(server.adminClient(), NOT_INSTALLED)
                .namespace(ns.name())
                .build()
                .execute();

        assertEquals(
                "resource type notinstalleds.longhorn.io/v1beta2 is not served by the API server (404 on list: 404 page"
                        + " not found); is its CRD installed and this version served?",
                report.outcomes().get(0).detail());
    }

    @Test
    @DisplayName(
            "backups at v1beta1 with the v1.12 CRDs (only v1beta2 served): SKIPPED, and the v1beta2 objects are untouched")
    void unservedVersionIsSkipped() throws Exception {
        ns.create(backup("stays"));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .apiVersion("v1beta1")
                .timeout(Duration.ofSeconds(10))
                .build()
                .run();

        assertEquals(1, report.outcomes().size(), report.table());
        assertEquals(Outcome.Status.SKIPPED, report.outcomes().get(0).status());
        assertTrue(
                report.outcomes().get(0).detail().startsWith("resource type backups.longhorn.io/v1beta1 is not served"),
                report.outcomes().get(0).detail());
        assertEquals(0, log.count(RequestLog.mutating()), log.describe());
        assertEquals(Set.of("stays"), ns.names(BACKUPS));
    }

    @Test
    @DisplayName(
            "ifResourceMissing(FAIL): CleanupConfigurationException naming the type, for a missing CRD and an unserved version")
    void missingTypeFailsWhenAsked() {
        ApiClient client = server.adminClient();

        CleanupConfigurationException notInstalled = assertThrows(
                CleanupConfigurationException.class,
                () -> Cleanup.builder(client, NOT_INSTALLED)
                        .namespace(ns.name())
                        .ifResourceMissing(MissingPolicy.FAIL)
                        .build()
                        .execute());
        assertTrue(
                notInstalled
                        .getMessage()
                        .startsWith("cannot clean notinstalleds.longhorn.io/v1beta2 in namespace "
                                + ns.name()
                                + ": resource type notinstalleds.longhorn.io/v1beta2 is not served by the API server (404 on list: 404"
                                + " page not found"),
                notInstalled.getMessage());

        CleanupConfigurationException v1beta1 = assertThrows(
                CleanupConfigurationException.class,
                () -> BackupCleanup.builder(client)
                        .namespace(ns.name())
                        .apiVersion("v1beta1")
                        .ifResourceMissing(MissingPolicy.FAIL)
                        .build()
                        .run());
        assertTrue(
                v1beta1.getMessage().startsWith("cannot clean backups.longhorn.io/v1beta1 in namespace " + ns.name()),
                v1beta1.getMessage());
    }

    @Test
    @DisplayName(
            "a namespace that does not exist: a note on a clean report (one extra GET), or CleanupConfigurationException with FAIL")
    void missingNamespace() {
        String missing = ItNamespace.missingName("served");
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report =
                BackupCleanup.builder(client).namespace(missing).build().run();

        assertEquals(0, report.outcomes().size(), report.table());
        assertTrue(report.isClean());
        assertEquals(
                List.of("backups.longhorn.io: namespace \"" + missing + "\" does not exist; nothing to clean"),
                report.notes());
        assertEquals(2, log.all().size(), "one list, one GET of the namespace: " + log.describe());
        assertEquals("/api/v1/namespaces/" + missing, log.all().get(1).path());

        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class,
                () -> BackupCleanup.builder(client)
                        .namespace(missing)
                        .ifNamespaceMissing(MissingPolicy.FAIL)
                        .build()
                        .run());
        assertEquals(
                "cannot clean backups.longhorn.io/v1beta2 in namespace " + missing + ": namespace \"" + missing
                        + "\" does not exist",
                e.getMessage());
    }
}
