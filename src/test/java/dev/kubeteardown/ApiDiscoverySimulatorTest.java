package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.sim.ApiResource;
import dev.kubeteardown.sim.LonghornResources;
import dev.kubeteardown.sim.LonghornSimulator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Discovery of what the Longhorn simulator serves, through the engine's resolver. */
class ApiDiscoverySimulatorTest {

    private static final ApiResource BACKUPS_V1BETA1 =
            new ApiResource("longhorn.io", "v1beta1", "Backup", "backups", true, List.of("lhb"));

    @Test
    @DisplayName("every Longhorn type the simulator serves resolves by plural.group, short name and kind, at v1beta2")
    void everyLonghornTypeResolves() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            ApiDiscovery discovery = ApiDiscovery.of(sim.apiClient());

            for (ApiResource served : LonghornResources.ALL) {
                ResourceType expected = ResourceType.namespaced("longhorn.io", "v1beta2", served.plural());
                for (String name :
                        List.of(served.qualifiedName(), served.shortNames().get(0), served.kind())) {
                    ServedType type = discovery.resolve(name);
                    assertEquals(expected, type.toResourceType(), name);
                    assertTrue(type.supports("list", "delete", "deletecollection", "watch"), name);
                }
            }
            assertFalse(discovery.resolve("ns").namespaced());
            assertEquals(
                    ResourceType.core("v1", "configmaps"),
                    discovery.resolve("cm").toResourceType());
            assertTrue(discovery.allServed().stream().noneMatch(t -> t.plural().contains("/")));
            assertEquals(Optional.of("v1beta2"), discovery.servedVersion("longhorn.io", "v1beta2", "v1beta1"));
        }
    }

    @Test
    @DisplayName("backups served at v1beta2 and v1beta1: v1beta2 is preferred, v1beta1 only when the name says so")
    void bothVersions() {
        try (LonghornSimulator sim =
                LonghornSimulator.builder().serve(BACKUPS_V1BETA1).start()) {
            ApiDiscovery discovery = ApiDiscovery.of(sim.apiClient());

            assertEquals("v1beta2", discovery.resolve("backups.longhorn.io").version());
            assertEquals(
                    "v1beta1", discovery.resolve("backups.v1beta1.longhorn.io").version());
            assertEquals(Optional.of("v1beta2"), discovery.servedVersion("longhorn.io", "v1beta2", "v1beta1"));
        }
    }

    @Test
    @DisplayName("only v1beta1 served: backups resolve to v1beta1; the types it lacks are unknown")
    void v1beta1Only() {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .serve(BACKUPS_V1BETA1)
                .notServed("longhorn.io", "v1beta2")
                .start()) {
            ApiDiscovery discovery = ApiDiscovery.of(sim.apiClient());

            assertEquals("v1beta1", discovery.resolve("lhb").version());
            assertEquals(Optional.of("v1beta1"), discovery.servedVersion("longhorn.io", "v1beta2", "v1beta1"));
            assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("volumes.longhorn.io"));
        }
    }
}
