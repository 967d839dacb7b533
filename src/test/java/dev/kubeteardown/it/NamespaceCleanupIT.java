package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.FINALIZER;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.NamespaceCleanup;
import dev.kubeteardown.Outcome;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link NamespaceCleanup} with kube-controller-manager's namespace controller: a namespace that goes, and one held
 * by a custom resource whose finalizer nobody removes, explained with the conditions the controller writes.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class NamespaceCleanupIT {

    private static final Set<String> HOLDING_CONDITIONS =
            Set.of("NamespaceContentRemaining", "NamespaceFinalizersRemaining");

    private final RealApiServer server;
    private ItNamespace ns;

    NamespaceCleanupIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "nsclean");
        new CoreV1Api(ns.admin())
                .createNamespacedConfigMap(
                        ns.name(),
                        new V1ConfigMap()
                                .metadata(new V1ObjectMeta().name("settings"))
                                .data(Map.of("a", "b")))
                .execute();
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close(); // releases a held backup, so a stuck namespace goes too
    }

    @Test
    @DisplayName(
            "a namespace with a ConfigMap and a custom resource: DELETED once the server no longer has it; a missing one ALREADY_GONE")
    void namespaceThatGoesIsDeleted() throws Exception {
        ns.create(backup("no-finalizer"));
        String missing = ItNamespace.missingName("nsclean");
        ApiClient client = server.adminClient();

        CleanupReport report = NamespaceCleanup.builder(client)
                .names(ns.name(), missing)
                .timeout(Duration.ofSeconds(60))
                .build()
                .run();

        assertEquals(2, report.outcomes().size(), report.table());
        Outcome deleted = report.outcomes().get(0);
        assertEquals(ns.name(), deleted.name());
        assertEquals(Outcome.Status.DELETED, deleted.status(), deleted.toString());
        assertEquals("namespaces", deleted.resource());
        Outcome gone = report.outcomes().get(1);
        assertEquals(missing, gone.name());
        assertEquals(Outcome.Status.ALREADY_GONE, gone.status());
        assertEquals("namespace \"" + missing + "\" does not exist: nothing to delete", gone.detail());
        assertEquals(Optional.empty(), readNamespace(ns.name()), "the server no longer has it");
    }

    @Test
    @DisplayName(
            "a namespace held by a custom resource's finalizer: STUCK naming the controller's conditions and the object")
    void namespaceHeldByFinalizerIsStuckAndExplained() throws Exception {
        ns.create(backup("held").finalizer(FINALIZER));
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        // The diagnosis reads the namespace once the deadline has passed. The namespace controller writes its
        // conditions some seconds after the delete: let the diagnosis read only once they are there.
        String namespacePath = "/api/v1/namespaces/" + ns.name();
        log.before(request -> {
            if (request.method().equals("GET") && request.url().encodedPath().equals(namespacePath)) {
                RealApiServer.await(
                        "the namespace controller's conditions on " + ns.name(),
                        Duration.ofSeconds(10),
                        () -> trueConditions(ns.name()).containsAll(HOLDING_CONDITIONS)
                                ? Optional.of(true)
                                : Optional.empty());
            }
        });

        CleanupReport report = NamespaceCleanup.builder(client)
                .names(ns.name())
                .timeout(Duration.ofSeconds(3))
                .build()
                .execute();

        assertEquals(List.of(), log.hookFailures());
        assertEquals(1, report.outcomes().size(), report.table());
        Outcome stuck = report.outcomes().get(0);
        assertEquals(Outcome.Status.STUCK, stuck.status(), stuck.toString());
        assertEquals(ns.name(), stuck.name());
        String detail = stuck.detail();
        assertTrue(detail.startsWith("still present at the deadline (3000 ms)"), detail);
        assertTrue(
                detail.contains(
                        "why: NamespaceContentRemaining: Some resources are remaining: backups.longhorn.io has 1"
                                + " resource instances"),
                detail);
        assertTrue(
                detail.contains("NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining:"
                        + " longhorn.io in 1 resource instances"),
                detail);
        assertTrue(detail.contains("spec.finalizers [\"kubernetes\"]"), detail);
        assertTrue(detail.endsWith("still inside: backups.longhorn.io held (finalizers [longhorn.io])"), detail);
        assertFalse(detail.contains("configmaps"), "the controller deleted the ConfigMap: " + detail);
        assertFalse(report.isClean());
        assertEquals(1, log.count(s -> s.method().equals("DELETE") && s.path().equals(namespacePath)), log.describe());

        V1Namespace onServer = readNamespace(ns.name()).orElseThrow();
        assertEquals("Terminating", onServer.getStatus().getPhase());
        assertEquals(
                List.of(FINALIZER),
                ItNamespace.finalizersOf(ns.get(ItNamespace.BACKUPS, "held").orElseThrow()));
    }

    private Optional<V1Namespace> readNamespace(String name) throws ApiException {
        try {
            return Optional.of(new CoreV1Api(ns.admin()).readNamespace(name).execute());
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Set<String> trueConditions(String name) throws ApiException {
        V1Namespace namespace = readNamespace(name).orElseThrow();
        List<V1NamespaceCondition> conditions =
                namespace.getStatus() == null ? null : namespace.getStatus().getConditions();
        return conditions == null
                ? Set.of()
                : conditions.stream()
                        .filter(c -> "True".equals(c.getStatus()))
                        .map(V1NamespaceCondition::getType)
                        .collect(Collectors.toSet());
    }
}
