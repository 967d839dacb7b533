package dev.kubeteardown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.ServedType;
import dev.kubeteardown.UnknownResourceTypeException;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Type names resolved against a real kube-apiserver's discovery, with the Longhorn v1.12 CRDs installed. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class ApiDiscoveryIT {

    private final RealApiServer server;

    ApiDiscoveryIT(RealApiServer server) {
        this.server = server;
    }

    @Test
    @DisplayName("backups.longhorn.io, lhb and Backup resolve to longhorn.io/v1beta2 backups, listable and deletable")
    void longhornBackups() {
        ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

        ServedType backups = discovery.resolve("backups.longhorn.io");

        assertEquals(ResourceType.namespaced("longhorn.io", "v1beta2", "backups"), backups.toResourceType());
        assertEquals("Backup", backups.kind());
        assertEquals("backup", backups.singular());
        assertEquals(List.of("lhb"), backups.shortNames());
        assertTrue(
                backups.supports("list", "delete", "deletecollection", "watch"),
                backups.verbs().toString());
        assertEquals(backups, discovery.resolve("lhb"));
        assertEquals(backups, discovery.resolve("Backup"));
        assertEquals(backups, discovery.resolve("backups.v1beta2.longhorn.io"));
        assertEquals(Optional.of("v1beta2"), discovery.servedVersion("longhorn.io", "v1beta2", "v1beta1"));
    }

    @Test
    @DisplayName("built-in types: cm, ConfigMap, deployments.apps, events (core, not events.k8s.io), ns")
    void builtInTypes() {
        ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

        assertEquals(
                ResourceType.core("v1", "configmaps"), discovery.resolve("cm").toResourceType());
        assertEquals(
                ResourceType.core("v1", "configmaps"),
                discovery.resolve("ConfigMap").toResourceType());
        assertEquals("configmap", discovery.resolve("cm").singular(), "1.20 sends no singular for core types");
        assertEquals(
                ResourceType.namespaced("apps", "v1", "deployments"),
                discovery.resolve("deployments.apps").toResourceType());
        assertEquals(discovery.resolve("deployments.apps"), discovery.resolve("deploy"));
        assertEquals("events/v1", discovery.resolve("events").toString());
        assertFalse(discovery.resolve("ns").namespaced());
    }

    @Test
    @DisplayName("allServed: each type once, no subresources; componentstatuses cannot be deleted")
    void allServed() {
        List<ServedType> all = ApiDiscovery.of(server.adminClient()).allServed();

        assertTrue(all.stream().noneMatch(t -> t.plural().contains("/")));
        assertEquals(
                all.size(),
                all.stream().map(ServedType::qualifiedName).distinct().count(),
                "one entry per group-resource");
        ServedType componentStatuses = all.stream()
                .filter(t -> t.qualifiedName().equals("componentstatuses"))
                .findFirst()
                .orElseThrow();
        assertFalse(
                componentStatuses.supports("delete"), componentStatuses.verbs().toString());
        assertEquals(
                1,
                all.stream()
                        .filter(t -> t.qualifiedName().equals("backups.longhorn.io"))
                        .count());
    }

    @Test
    @DisplayName("an unknown name: the exception names it and suggests backups.longhorn.io")
    void unknownName() {
        ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

        UnknownResourceTypeException e =
                assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("backup.longhorn.oi"));

        assertEquals("backup.longhorn.oi", e.input());
        assertEquals("backups.longhorn.io", e.suggestions().get(0), e.getMessage());
        assertTrue(e.getMessage().startsWith("unknown resource type \"backup.longhorn.oi\": "), e.getMessage());
        assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("pods/log"));
    }

    @Test
    @DisplayName("the limited user (no RBAC beyond two Longhorn types) can still discover")
    void limitedUserDiscovers() {
        assertEquals(
                "backups.longhorn.io/v1beta2",
                ApiDiscovery.of(server.limitedClient()).resolve("lhb").toString());
    }

    @Test
    @DisplayName("a CRD installed after discovery was cached resolves through the re-discovery on an unknown name")
    void crdInstalledLater() throws Exception {
        ApiClient client = server.adminClient();
        ApiDiscovery discovery = ApiDiscovery.of(client);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String plural = "widgets" + suffix;
        String group = "discovery-it.kubeteardown.dev";
        String crd = plural + "." + group;

        assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve(crd));

        CustomObjectsApi api = new CustomObjectsApi(client);
        api.createClusterCustomObject(
                        "apiextensions.k8s.io",
                        "v1",
                        "customresourcedefinitions",
                        crd(group, plural, "Widget" + suffix))
                .execute();
        try {
            // discovery lists the group once the CRD is established, a moment after the create
            ServedType widgets = RealApiServer.await("discovery of " + crd, Duration.ofSeconds(30), () -> {
                try {
                    return Optional.of(discovery.resolve(crd));
                } catch (UnknownResourceTypeException notYet) {
                    return Optional.empty();
                }
            });
            assertEquals(ResourceType.clusterScoped(group, "v1", plural), widgets.toResourceType());
        } finally {
            api.deleteClusterCustomObject("apiextensions.k8s.io", "v1", "customresourcedefinitions", crd)
                    .execute();
        }
    }

    /** A cluster-scoped CRD with one version and no schema beyond "anything goes". */
    private static Map<String, Object> crd(String group, String plural, String kind) {
        Map<String, Object> schema =
                Map.of("openAPIV3Schema", Map.of("type", "object", "x-kubernetes-preserve-unknown-fields", true));
        Map<String, Object> version = Map.of("name", "v1", "served", true, "storage", true, "schema", schema);
        Map<String, Object> spec = Map.of(
                "group",
                group,
                "scope",
                "Cluster",
                "names",
                Map.of("kind", kind, "plural", plural),
                "versions",
                List.of(version));
        return Map.of(
                "apiVersion",
                "apiextensions.k8s.io/v1",
                "kind",
                "CustomResourceDefinition",
                "metadata",
                Map.of("name", plural + "." + group),
                "spec",
                spec);
    }
}
