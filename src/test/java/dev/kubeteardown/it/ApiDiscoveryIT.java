package dev.kubeteardown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.ApiDiscovery.ServedType;
import dev.kubeteardown.ResourceType;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ApiDiscovery} against a real server's discovery documents: kubectl-style names, preferred versions. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class ApiDiscoveryIT {

    /**
     * The Longhorn v1.8 CRDs are installed under this group instead of {@code longhorn.io}, which already serves the
     * v1.12 ones to the other tests; the server picks a group's preferred version the same way whatever its name.
     */
    private static final String V18_GROUP = "longhorn-v18.it.kube-teardown.dev";

    private static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");

    private final RealApiServer server;

    ApiDiscoveryIT(RealApiServer server) {
        this.server = server;
    }

    @Test
    @DisplayName(
            "backups.longhorn.io, lhb, Backup and backups.v1beta2.longhorn.io resolve to the same served type, with its verbs")
    void longhornBackupByEveryName() {
        ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

        ServedType byQualifiedName = discovery.resolve("backups.longhorn.io");
        assertEquals("longhorn.io", byQualifiedName.group());
        assertEquals("v1beta2", byQualifiedName.version());
        assertEquals("backups", byQualifiedName.plural());
        assertEquals("backup", byQualifiedName.singular());
        assertEquals("Backup", byQualifiedName.kind());
        assertTrue(byQualifiedName.namespaced());
        assertEquals(List.of("lhb"), byQualifiedName.shortNames());
        assertEquals(
                Set.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"),
                byQualifiedName.verbs());
        assertTrue(byQualifiedName.isDeletable());
        assertTrue(byQualifiedName.preferredVersion());
        assertEquals("backups.longhorn.io", byQualifiedName.qualifiedName());
        assertEquals(BACKUPS, byQualifiedName.resourceType());

        for (String name : List.of("lhb", "Backup", "backup", "LHB", "backups.v1beta2.longhorn.io")) {
            assertEquals(byQualifiedName, discovery.resolve(name), name);
        }
    }

    @Test
    @DisplayName(
            "core and built-in names: cm is configmaps (core v1), deployments.apps is apps/v1, namespaces cluster-scoped")
    void builtInTypes() {
        ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

        ServedType cm = discovery.resolve("cm");
        assertEquals("", cm.group());
        assertEquals("v1", cm.version());
        assertEquals("configmaps", cm.plural());
        assertEquals("ConfigMap", cm.kind());
        assertTrue(cm.namespaced());
        assertEquals("configmaps", cm.qualifiedName());
        assertEquals(cm, discovery.resolve("ConfigMap"));
        assertEquals(cm, discovery.resolve("configmaps"));

        ServedType deployments = discovery.resolve("deployments.apps");
        assertEquals("apps", deployments.group());
        assertEquals("v1", deployments.version());
        assertEquals("deployments", deployments.plural());
        assertEquals("Deployment", deployments.kind());
        assertTrue(deployments.namespaced());
        assertEquals(List.of("deploy"), deployments.shortNames());
        assertEquals(deployments, discovery.resolve("deploy"));
        assertEquals(deployments, discovery.resolve("deployments.v1.apps"));

        ServedType namespaces = discovery.resolve("ns");
        assertEquals("namespaces", namespaces.plural());
        assertFalse(namespaces.namespaced());

        List<ServedType> all = discovery.allServed();
        assertTrue(all.contains(cm) && all.contains(deployments), "allServed lists both");
        assertTrue(all.stream().noneMatch(t -> t.plural().contains("/")), "no subresource (pods/log) is a type");
        assertTrue(all.stream().anyMatch(t -> t.qualifiedName().equals("backups.longhorn.io")));
    }

    @Test
    @DisplayName("an unknown name is IllegalArgumentException naming it and the closest served names")
    void unknownNameListsCloseMatches() {
        ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

        IllegalArgumentException typo =
                assertThrows(IllegalArgumentException.class, () -> discovery.resolve("bakups.longhorn.io"));
        assertTrue(
                typo.getMessage()
                        .startsWith("the server does not serve a resource type \"bakups.longhorn.io\"; did you mean"
                                + " backups.longhorn.io"),
                typo.getMessage());

        IllegalArgumentException shortName =
                assertThrows(IllegalArgumentException.class, () -> discovery.resolve("lhbx"));
        assertTrue(
                shortName.getMessage().startsWith("the server does not serve a resource type \"lhbx\"; did you mean "),
                shortName.getMessage());
        assertTrue(shortName.getMessage().contains("lhb"), shortName.getMessage());

        IllegalArgumentException nothingClose =
                assertThrows(IllegalArgumentException.class, () -> discovery.resolve("qqqqqqq"));
        assertEquals("the server does not serve a resource type \"qqqqqqq\"", nothingClose.getMessage());
    }

    @Test
    @DisplayName(
            "Longhorn v1.8 CRDs (v1beta1 and v1beta2 served): v1beta2 is preferred; v1beta1 only when the name says so")
    void v18PreferredVersionIsV1beta2() throws Exception {
        List<Map<String, Object>> crds = new ArrayList<>();
        for (Map<String, Object> crd : RealApiServer.readCrds("longhorn/crds-v1.8.yaml")) {
            crds.add(inGroup(crd, V18_GROUP));
        }
        List<String> names = crds.stream().map(ApiDiscoveryIT::nameOf).toList();
        server.installCrds("crds-v1.8.yaml in group " + V18_GROUP, crds);
        try {
            ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

            ServedType backups = discovery.resolve("backups." + V18_GROUP);
            assertEquals("v1beta2", backups.version());
            assertTrue(backups.preferredVersion());
            assertEquals(
                    backups,
                    discovery.allServed().stream()
                            .filter(t -> t.qualifiedName().equals("backups." + V18_GROUP))
                            .findFirst()
                            .orElseThrow(),
                    "allServed lists the preferred version only");

            ServedType v1beta1 = discovery.resolve("backups.v1beta1." + V18_GROUP);
            assertEquals("v1beta1", v1beta1.version());
            assertFalse(v1beta1.preferredVersion());
            assertEquals("Backup", v1beta1.kind());

            assertEquals(Optional.of("v1beta2"), discovery.servedVersion(V18_GROUP, "v1beta2", "v1beta1"));
            assertEquals(Optional.of("v1beta1"), discovery.servedVersion(V18_GROUP, "v1beta1", "v1beta2"));
            assertEquals(Optional.empty(), discovery.servedVersion("longhorn.io", "v1beta1"), "v1.12: no v1beta1");
            assertEquals(Optional.of("v1beta2"), discovery.servedVersion("longhorn.io", "v1beta1", "v1beta2"));

            // systembackups only ever had v1beta2; the group's other CRDs do not change that
            ServedType systemBackups = discovery.resolve("systembackups." + V18_GROUP);
            assertEquals("v1beta2", systemBackups.version());
            IllegalArgumentException noV1beta1 = assertThrows(
                    IllegalArgumentException.class, () -> discovery.resolve("systembackups.v1beta1." + V18_GROUP));
            assertTrue(noV1beta1.getMessage().contains("systembackups.v1beta1." + V18_GROUP), noV1beta1.getMessage());
        } finally {
            deleteCrds(names);
        }
    }

    /** The CRD with its group (and name) changed; everything else as in the file. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> inGroup(Map<String, Object> crd, String group) {
        Map<String, Object> copy = new LinkedHashMap<>(crd);
        Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) crd.get("metadata"));
        Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) crd.get("spec"));
        String plural = (String) ((Map<String, Object>) spec.get("names")).get("plural");
        metadata.put("name", plural + "." + group);
        spec.put("group", group);
        copy.put("metadata", metadata);
        copy.put("spec", spec);
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static String nameOf(Map<String, Object> crd) {
        return (String) ((Map<String, Object>) crd.get("metadata")).get("name");
    }

    /** Deletes the CRDs and waits until discovery no longer shows their group, so later tests see the server as before. */
    private void deleteCrds(List<String> names) throws Exception {
        CustomObjectsApi api = new CustomObjectsApi(server.adminClient());
        for (String name : names) {
            try {
                api.deleteClusterCustomObject("apiextensions.k8s.io", "v1", "customresourcedefinitions", name)
                        .execute();
            } catch (ApiException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        RealApiServer.await(
                "group " + V18_GROUP + " to leave discovery",
                Duration.ofSeconds(30),
                () -> ApiDiscovery.of(server.adminClient())
                                .servedVersion(V18_GROUP, "v1beta2", "v1beta1")
                                .isEmpty()
                        ? Optional.of(true)
                        : Optional.empty());
    }
}
