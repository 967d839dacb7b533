package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.sim.ApiResource;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Type names resolved as kubectl spells them, against the simulator's discovery documents. */
class ApiDiscoveryTest {

    static final ApiResource BACKUPS_V1BETA1 =
            new ApiResource("longhorn.io", "v1beta1", "Backup", "backups", true, List.of("lhb"));

    @Test
    @DisplayName("plural.group, plural.version.group, short names, kinds, singulars and core plurals all resolve")
    void kubectlSpellingsResolve() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            ApiDiscovery discovery = ApiDiscovery.of(sim.apiClient());
            ResourceType backups = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
            for (String name : List.of(
                    "backups.longhorn.io", "backups.v1beta2.longhorn.io", "lhb", "Backup", "backup", "backups")) {
                assertEquals(backups, discovery.resolve(name).resourceType(), name);
            }
            ApiDiscovery.ServedType namespaces = discovery.resolve("ns");
            assertEquals(ResourceType.clusterScoped("", "v1", "namespaces"), namespaces.resourceType());
            assertEquals("namespaces", namespaces.qualifiedName());
            assertTrue(discovery.resolve("lhb").isDeletable());
        }
    }

    @Test
    @DisplayName("subresources are never types, and allServed lists every served type once")
    void subresourcesAreExcluded() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            List<ApiDiscovery.ServedType> all = ApiDiscovery.of(sim.apiClient()).allServed();
            assertTrue(all.stream().noneMatch(t -> t.plural().contains("/")), all.toString());
            assertEquals(
                    all.size(),
                    all.stream()
                            .map(ApiDiscovery.ServedType::qualifiedName)
                            .distinct()
                            .count());
            assertTrue(all.stream().anyMatch(t -> t.qualifiedName().equals("orphans.longhorn.io")));
        }
    }

    @Test
    @DisplayName("an unknown name is an error that names it and the closest served names")
    void unknownNameListsCloseMatches() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ApiDiscovery.of(sim.apiClient()).resolve("backup.longhorn.oi"));
            assertTrue(
                    e.getMessage()
                            .startsWith("the server does not serve a resource type \"backup.longhorn.oi\"; did"
                                    + " you mean backups.longhorn.io"),
                    e.getMessage());
        }
    }

    @Test
    @DisplayName("a name two groups serve is ambiguous unless qualified; the core group wins as in kubectl")
    void ambiguityAcrossGroups() {
        ApiResource veleroBackups = new ApiResource("velero.io", "v1", "Backup", "backups", true, List.of());
        ApiResource coreLike = new ApiResource("example.io", "v1", "Namespace", "namespaces", false, List.of());
        try (LonghornSimulator sim =
                LonghornSimulator.builder().serve(veleroBackups).serve(coreLike).start()) {
            ApiDiscovery discovery = ApiDiscovery.of(sim.apiClient());
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> discovery.resolve("backups"));
            assertEquals(
                    "resource type \"backups\" is ambiguous: it names backups.longhorn.io, backups.velero.io; qualify"
                            + " it with its group",
                    e.getMessage());
            assertEquals("velero.io", discovery.resolve("backups.velero.io").group());
            assertEquals("", discovery.resolve("namespaces").group(), "core wins");
        }
    }

    @Test
    @DisplayName("Longhorn's served version: v1beta2 when served, else v1beta1, else none")
    void servedLonghornVersion() {
        try (LonghornSimulator both =
                        LonghornSimulator.builder().serve(BACKUPS_V1BETA1).start();
                LonghornSimulator oldOnly = LonghornSimulator.builder()
                        .serve(BACKUPS_V1BETA1)
                        .notServed("longhorn.io", "v1beta2")
                        .start();
                MockCluster neither = MockCluster.start()) {
            assertEquals(
                    Optional.of("v1beta2"),
                    ApiDiscovery.of(both.apiClient()).servedVersion("longhorn.io", "v1beta2", "v1beta1"));
            assertEquals(
                    Optional.of("v1beta1"),
                    ApiDiscovery.of(oldOnly.apiClient()).servedVersion("longhorn.io", "v1beta2", "v1beta1"));
            assertEquals(
                    "v1beta1",
                    ApiDiscovery.of(oldOnly.apiClient()).resolve("lhb").version());
            assertEquals(
                    Optional.empty(),
                    ApiDiscovery.of(neither.client()).servedVersion("longhorn.io", "v1beta2", "v1beta1"));
        }
    }

    @Test
    @DisplayName("discovery is cached per client: a second question sends nothing, invalidate() asks again")
    void cachedPerClient() {
        try (MockCluster cluster = MockCluster.start()) {
            AtomicInteger discoveryRequests = new AtomicInteger();
            cluster.intercept((request, c) -> {
                if (request.getPath().equals("/apis")) {
                    discoveryRequests.incrementAndGet();
                    return new MockResponse()
                            .setResponseCode(200)
                            .setBody("{\"kind\":\"APIGroupList\",\"groups\":[{\"name\":\"longhorn.io\",\"versions\":"
                                    + "[{\"groupVersion\":\"longhorn.io/v1beta1\",\"version\":\"v1beta1\"}],"
                                    + "\"preferredVersion\":{\"version\":\"v1beta1\"}}]}");
                }
                return null;
            });
            ApiDiscovery discovery = ApiDiscovery.of(cluster.client());
            assertEquals(Optional.of("v1beta1"), discovery.servedVersion("longhorn.io", "v1beta2", "v1beta1"));
            assertEquals(Optional.of("v1beta1"), discovery.servedVersion("longhorn.io", "v1beta2", "v1beta1"));
            assertEquals(1, discoveryRequests.get());
            discovery.invalidate();
            assertFalse(discovery.servedVersion("longhorn.io", "v1beta2").isPresent());
            assertEquals(2, discoveryRequests.get());
        }
    }

    @Test
    @DisplayName("edit distance behind the suggestions")
    void editDistance() {
        assertEquals(0, ApiDiscovery.distance("backups", "backups"));
        assertEquals(1, ApiDiscovery.distance("backup", "backups"));
        assertEquals(2, ApiDiscovery.distance("longhorn.oi", "longhorn.io"));
    }
}
