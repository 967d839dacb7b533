package dev.kubeteardown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.ServedType;
import dev.kubeteardown.UnknownResourceTypeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ApiDiscovery} against a real server's discovery documents: kubectl-style names, preferred versions. */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class LonghornVersionsIT {

    /**
     * The Longhorn v1.8 CRDs are installed under this group instead of {@code longhorn.io}, which already serves the
     * v1.12 ones to the other tests; the server picks a group's preferred version the same way whatever its name.
     */
    private static final String V18_GROUP = "longhorn-v18.it.kube-teardown.dev";

    private static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");

    private final RealApiServer server;

    LonghornVersionsIT(RealApiServer server) {
        this.server = server;
    }

    @Test
    @DisplayName(
            "Longhorn v1.8 CRDs (v1beta1 and v1beta2 served): v1beta2 is preferred; v1beta1 only when the name says so")
    void v18PreferredVersionIsV1beta2() throws Exception {
        List<Map<String, Object>> crds = new ArrayList<>();
        for (Map<String, Object> crd : RealApiServer.readCrds("longhorn/crds-v1.8.yaml")) {
            crds.add(inGroup(crd, V18_GROUP));
        }
        List<String> names = crds.stream().map(LonghornVersionsIT::nameOf).toList();
        server.installCrds("crds-v1.8.yaml in group " + V18_GROUP, crds);
        try {
            ApiDiscovery discovery = ApiDiscovery.of(server.adminClient());

            ServedType backups = discovery.resolve("backups." + V18_GROUP);
            assertEquals("v1beta2", backups.version());
            assertEquals(
                    backups,
                    discovery.allServed().stream()
                            .filter(t -> t.qualifiedName().equals("backups." + V18_GROUP))
                            .findFirst()
                            .orElseThrow(),
                    "allServed lists the preferred version only");

            ServedType v1beta1 = discovery.resolve("backups.v1beta1." + V18_GROUP);
            assertEquals("v1beta1", v1beta1.version());
            assertEquals("Backup", v1beta1.kind());

            assertEquals(Optional.of("v1beta2"), discovery.servedVersion(V18_GROUP, "v1beta2", "v1beta1"));
            assertEquals(Optional.of("v1beta1"), discovery.servedVersion(V18_GROUP, "v1beta1", "v1beta2"));
            assertEquals(Optional.empty(), discovery.servedVersion("longhorn.io", "v1beta1"), "v1.12: no v1beta1");
            assertEquals(Optional.of("v1beta2"), discovery.servedVersion("longhorn.io", "v1beta1", "v1beta2"));

            // systembackups only ever had v1beta2; the group's other CRDs do not change that
            ServedType systemBackups = discovery.resolve("systembackups." + V18_GROUP);
            assertEquals("v1beta2", systemBackups.version());
            UnknownResourceTypeException noV1beta1 = assertThrows(
                    UnknownResourceTypeException.class, () -> discovery.resolve("systembackups.v1beta1." + V18_GROUP));
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
        server.deleteCrds(names);
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
