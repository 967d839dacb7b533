package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scope as the real server selects it: set-based label selectors, field selectors, all namespaces. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class ScopeIT {

    private final RealApiServer server;
    private ItNamespace ns;
    private ItNamespace other;

    ScopeIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespaces() throws Exception {
        ns = ItNamespace.create(server, "scope");
        other = ItNamespace.create(server, "scope2");
    }

    @AfterEach
    void deleteNamespaces() throws Exception {
        ns.close();
        other.close();
    }

    @Test
    @DisplayName("a set-based label selector is sent as is and the server's selection is what gets deleted")
    void setBasedSelectorSelectsOnServer() throws Exception {
        ns.create(backup("a-plain").label("backup-volume", "vol-a"));
        ns.create(backup("b-plain").label("backup-volume", "vol-b"));
        ns.create(backup("c-plain").label("backup-volume", "vol-c"));
        ns.create(backup("a-gold").label("backup-volume", "vol-a").label("tier", "gold"));
        ns.create(backup("b-kept").label("backup-volume", "vol-b").label("keep", "yes"));
        ns.create(backup("no-label"));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        String selector = "backup-volume in (vol-a,vol-b),tier notin (gold),!keep";

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .labelSelector(selector)
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(Set.of("a-plain", "b-plain"), DeleteRaceIT.names(report, Outcome.Status.DELETED), report.table());
        assertEquals(Set.of("c-plain", "a-gold", "b-kept", "no-label"), ns.names(BACKUPS));
        RequestLog.Sent list = log.matching(RequestLog.list(BACKUPS)).get(0);
        assertEquals(selector, list.query("labelSelector"), "sent as written");
        for (RequestLog.Sent watch : log.matching(RequestLog.watch(BACKUPS))) {
            // "gone" is judged in the whole namespace: an object relabelled out of the selector is not gone
            assertEquals(null, watch.query("labelSelector"), "the wait watches the namespace, not the selector");
        }
    }

    @Test
    @DisplayName("a field selector on metadata.name deletes exactly that object")
    void fieldSelectorSelectsOnServer() throws Exception {
        ns.create(backup("target"));
        ns.create(backup("bystander"));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .fieldSelector("metadata.name=target")
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(Set.of("target"), DeleteRaceIT.names(report, Outcome.Status.DELETED), report.table());
        assertEquals(Set.of("bystander"), ns.names(BACKUPS));
        assertEquals(
                "metadata.name=target",
                log.matching(RequestLog.list(BACKUPS)).get(0).query("fieldSelector"));
    }

    @Test
    @DisplayName(
            "allNamespaces with a label selector: labelled objects of both namespaces go, each deleted in its own namespace")
    void allNamespacesDeletesInEachNamespace() throws Exception {
        String run = "scope-" + UUID.randomUUID().toString().substring(0, 8);
        ns.create(backup("mine-1").label("it-run", run));
        other.create(backup("mine-2").label("it-run", run));
        ns.create(backup("not-mine").label("it-run", "someone-else"));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .allNamespaces()
                .labelSelector("it-run=" + run)
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(
                Set.of(ns.name() + "/mine-1", other.name() + "/mine-2"),
                report.outcomes(Outcome.Status.DELETED).stream()
                        .map(Outcome::qualifiedName)
                        .collect(Collectors.toCollection(TreeSet::new)),
                report.table());
        assertEquals(
                "/apis/longhorn.io/v1beta2/backups",
                log.matching(RequestLog.list(BACKUPS)).get(0).path());
        assertTrue(
                log.matching(RequestLog.delete(BACKUPS)).stream()
                        .anyMatch(d -> d.path()
                                .equals("/apis/longhorn.io/v1beta2/namespaces/" + other.name() + "/backups/mine-2")),
                log.describe());
        assertEquals(Set.of("not-mine"), ns.names(BACKUPS));
        assertEquals(Set.of(), other.names(BACKUPS));
    }
}
