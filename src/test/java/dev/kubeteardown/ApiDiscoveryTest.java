package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.FakeDiscovery;
import dev.kubeteardown.testing.MockCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Type names resolved against discovery documents served by the fabric8 mock, and what is fetched when. */
class ApiDiscoveryTest {

    private static final String LONGHORN = "longhorn.io";

    private MockCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private ApiDiscovery discovery(FakeDiscovery served) {
        cluster = MockCluster.start().intercept(served);
        return ApiDiscovery.of(cluster.client());
    }

    private static FakeDiscovery longhornAt(String... versions) {
        FakeDiscovery served = FakeDiscovery.withCore();
        for (String version : versions) {
            served.serve(LONGHORN, version, "Backup", "backups", "lhb")
                    .serve(LONGHORN, version, "BackupVolume", "backupvolumes", "lhbv");
        }
        return served;
    }

    @Test
    @DisplayName("Longhorn at v1beta2 only: backups.longhorn.io resolves with kind, scope, verbs and short names")
    void v1beta2Only() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2"));

        ServedType backups = discovery.resolve("backups.longhorn.io");

        assertEquals(
                new ServedType(
                        LONGHORN,
                        "v1beta2",
                        "backups",
                        "backup",
                        "Backup",
                        true,
                        FakeDiscovery.ALL_VERBS,
                        List.of("lhb")),
                backups);
        assertTrue(backups.supports("list", "delete"));
        assertEquals(ResourceType.namespaced(LONGHORN, "v1beta2", "backups"), backups.toResourceType());
        assertEquals(Optional.of("v1beta2"), discovery.servedVersion(LONGHORN, "v1beta2", "v1beta1"));
    }

    @Test
    @DisplayName("Longhorn at v1beta1 only: names resolve to v1beta1, and the Longhorn version is v1beta1")
    void v1beta1Only() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta1"));

        assertEquals("v1beta1", discovery.resolve("backups.longhorn.io").version());
        assertEquals("v1beta1", discovery.resolve("lhbv").version());
        assertEquals(Optional.of("v1beta1"), discovery.servedVersion(LONGHORN, "v1beta2", "v1beta1"));
    }

    @Test
    @DisplayName("both versions served: the server's preferred one wins unless the name fixes the version")
    void bothVersionsPreferredWins() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2", "v1beta1"));

        assertEquals("v1beta2", discovery.resolve("backups.longhorn.io").version());
        assertEquals("v1beta2", discovery.resolve("Backup").version());
        assertEquals("v1beta1", discovery.resolve("backups.v1beta1.longhorn.io").version());
        assertEquals(
                List.of("backups.longhorn.io/v1beta2", "backupvolumes.longhorn.io/v1beta2"),
                discovery.allServed().stream()
                        .filter(t -> t.group().equals(LONGHORN))
                        .map(ServedType::toString)
                        .toList());
    }

    @Test
    @DisplayName(
            "the preferredVersion of /apis decides, not the order of the versions; servedVersion follows the caller's order")
    void preferredVersionFromTheGroupList() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2", "v1beta1").preferred(LONGHORN, "v1beta1"));

        assertEquals("v1beta1", discovery.resolve("backups.longhorn.io").version());
        assertEquals(Optional.of("v1beta1"), discovery.servedVersion(LONGHORN));
        assertEquals(Optional.of("v1beta2"), discovery.servedVersion(LONGHORN, "v1beta2", "v1beta1"));
    }

    @Test
    @DisplayName("Longhorn not installed: no served version, and backups.longhorn.io is unknown")
    void neitherVersionServed() {
        ApiDiscovery discovery = discovery(FakeDiscovery.withCore());

        assertEquals(Optional.empty(), discovery.servedVersion(LONGHORN, "v1beta2", "v1beta1"));
        UnknownResourceTypeException e =
                assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("backups.longhorn.io"));
        assertEquals("backups.longhorn.io", e.input());
        assertEquals(
                "unknown resource type \"backups.longhorn.io\": the API server serves no resource, short name or kind"
                        + " by that name (is its CRD installed?)",
                e.getMessage());
        assertEquals(List.of(), e.suggestions());
    }

    @Test
    @DisplayName("short names, singular names and kinds (any case) resolve like plurals")
    void shortNamesSingularsAndKinds() {
        ApiDiscovery discovery =
                discovery(longhornAt("v1beta2").serve("apps", "v1", "Deployment", "deployments", "deploy"));

        for (String name : List.of("configmaps", "cm", "CM", "configmap", "ConfigMap", "CONFIGMAP")) {
            assertEquals("configmaps/v1", discovery.resolve(name).toString(), name);
        }
        for (String name :
                List.of("backup", "lhb", "Backup", "backup.longhorn.io", "lhb.longhorn.io", "Backup.longhorn.io")) {
            assertEquals("backups.longhorn.io/v1beta2", discovery.resolve(name).toString(), name);
        }
        for (String name :
                List.of("deployments.apps", "deployment.apps", "deployments.v1.apps", "Deployment.v1.apps", "deploy")) {
            assertEquals("deployments.apps/v1", discovery.resolve(name).toString(), name);
        }
        assertFalse(discovery.resolve("ns").namespaced());
    }

    @Test
    @DisplayName("a version the group does not serve is an unknown name, not a fallback to another version")
    void unservedVersionIsUnknown() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2"));

        UnknownResourceTypeException e = assertThrows(
                UnknownResourceTypeException.class, () -> discovery.resolve("backups.v1beta1.longhorn.io"));
        assertEquals(List.of("backups.longhorn.io"), e.suggestions());
    }

    @Test
    @DisplayName("a name in the core group and another group resolves to the core group; a qualified name to the other")
    void coreGroupWins() {
        ApiDiscovery discovery = discovery(FakeDiscovery.withCore().serve("events.k8s.io", "v1", "Event", "events"));

        assertEquals("", discovery.resolve("events").group());
        assertEquals("", discovery.resolve("Event").group());
        assertEquals("events.k8s.io", discovery.resolve("events.events.k8s.io").group());
    }

    @Test
    @DisplayName("a name served by two CRD groups is ambiguous: the exception lists both, and nothing is guessed")
    void ambiguousAcrossCustomGroups() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2").serve("velero.io", "v1", "Backup", "backups"));

        AmbiguousResourceTypeException e =
                assertThrows(AmbiguousResourceTypeException.class, () -> discovery.resolve("backups"));
        assertEquals(
                "resource type \"backups\" is ambiguous: it matches backups.longhorn.io/v1beta2, backups.velero.io/v1;"
                        + " name the group, e.g. backups.longhorn.io",
                e.getMessage());
        assertEquals(
                List.of("backups.longhorn.io/v1beta2", "backups.velero.io/v1"),
                e.candidates().stream().map(ServedType::toString).toList());
        assertThrows(AmbiguousResourceTypeException.class, () -> discovery.resolve("Backup"));
        assertEquals("velero.io", discovery.resolve("backups.velero.io").group());
    }

    @Test
    @DisplayName("a name served only by built-in groups resolves in the server's group order, as kubectl does")
    void builtInGroupsInServerOrder() {
        ApiDiscovery discovery = discovery(FakeDiscovery.withCore()
                .serve("extensions", "v1beta1", "Ingress", "ingresses", "ing")
                .serve("networking.k8s.io", "v1", "Ingress", "ingresses", "ing"));

        assertEquals(
                "ingresses.extensions/v1beta1", discovery.resolve("ingresses").toString());
        assertEquals(
                "ingresses.networking.k8s.io/v1",
                discovery.resolve("ing.networking.k8s.io").toString());
    }

    @Test
    @DisplayName("an unknown name: the exception names it and suggests close served names")
    void unknownNameWithSuggestions() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2"));

        UnknownResourceTypeException typo =
                assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("backup.longhorn.oi"));
        assertEquals(
                "unknown resource type \"backup.longhorn.oi\": the API server serves no resource, short name or kind"
                        + " by that name; did you mean backups.longhorn.io?",
                typo.getMessage());

        UnknownResourceTypeException prefix =
                assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("backupvol"));
        assertEquals(List.of("backupvolumes.longhorn.io"), prefix.suggestions());

        UnknownResourceTypeException two =
                assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("confgmap"));
        assertEquals(List.of("configmaps"), two.suggestions());
    }

    @Test
    @DisplayName("subresources (pods/log, */status) are neither resolved nor listed")
    void subresourcesExcluded() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2"));

        assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("pods/log"));
        assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("backups/status"));
        List<ServedType> all = discovery.allServed();
        assertEquals(
                List.of(
                        "configmaps",
                        "pods",
                        "events",
                        "namespaces",
                        "backups.longhorn.io",
                        "backupvolumes.longhorn.io"),
                all.stream().map(ServedType::qualifiedName).toList());
    }

    @Test
    @DisplayName("allServed carries each type's verbs: a read-only type does not support delete")
    void verbsTellWhatCanBeDeleted() {
        ApiDiscovery discovery = discovery(FakeDiscovery.withCore()
                .serveWithVerbs("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", List.of("get", "list")));

        List<String> deletable = discovery.allServed().stream()
                .filter(t -> t.supports("list", "delete"))
                .map(ServedType::qualifiedName)
                .toList();
        assertEquals(List.of("configmaps", "pods", "events", "namespaces"), deletable);
        assertFalse(discovery.resolve("pods.metrics.k8s.io").supports("delete"));
    }

    @Test
    @DisplayName("cached per client: a second resolve (through any view) sends no request; invalidate fetches again")
    void cachedPerClient() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2"));

        discovery.resolve("backups.longhorn.io");
        List<String> first = cluster.requests();
        assertEquals(
                List.of("GET /api", "GET /api/v1", "GET /apis", "GET /apis/longhorn.io/v1beta2"),
                first.stream().sorted().toList());

        discovery.resolve("cm");
        ApiDiscovery.of(cluster.client()).resolve("lhbv");
        discovery.withRequestTimeout(Duration.ofSeconds(3)).allServed();
        assertEquals(first, cluster.requests(), "no request after the first fetch");

        discovery.invalidate();
        discovery.resolve("backups.longhorn.io");
        assertEquals(
                2 * first.size(), cluster.requests().size(), cluster.requests().toString());
    }

    @Test
    @DisplayName("another client of the same server has its own cache")
    void separateCachePerClient() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2"));
        discovery.resolve("cm");
        int afterFirst = cluster.requests().size();

        ApiClient another = new ClientBuilder()
                .setBasePath(cluster.url().replaceAll("/$", ""))
                .setVerifyingSsl(false)
                .build();
        ApiDiscovery.of(another).resolve("cm");

        assertEquals(2 * afterFirst, cluster.requests().size());
    }

    @Test
    @DisplayName(
            "a CRD installed after discovery was cached: an unknown name fetches discovery once more, then resolves")
    void unknownNameRediscovers() {
        FakeDiscovery served = FakeDiscovery.withCore();
        ApiDiscovery discovery = discovery(served);
        discovery.resolve("cm");
        int cached = cluster.requests().size();

        served.serve(LONGHORN, "v1beta2", "Backup", "backups", "lhb");
        ServedType backups = discovery.resolve("backups.longhorn.io");

        assertEquals("v1beta2", backups.version());
        assertTrue(cluster.requests().size() > cached);
        assertEquals(Optional.of("v1beta2"), discovery.servedVersion(LONGHORN, "v1beta2", "v1beta1"));
    }

    @Test
    @DisplayName("an unknown name against cached discovery fetches once more (and only once) before failing")
    void unknownNameFetchesOnceMore() {
        ApiDiscovery discovery = discovery(FakeDiscovery.withCore());
        discovery.resolve("cm");
        int perFetch = cluster.requests().size();

        assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("nosuchthings"));
        assertEquals(2 * perFetch, cluster.requests().size());

        // the first fetch of a fresh cache is not repeated
        discovery.invalidate();
        assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("nosuchthings"));
        assertEquals(3 * perFetch, cluster.requests().size());
    }

    @Test
    @DisplayName("a group version whose list fails is left out and reported; the rest still resolves")
    void failingGroupVersionIsLeftOut() {
        ApiDiscovery discovery = discovery(longhornAt("v1beta2")
                .serveWithVerbs("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", List.of("get", "list"))
                .failing("/apis/metrics.k8s.io/v1beta1", 503, "service unavailable"));

        assertEquals("backups.longhorn.io/v1beta2", discovery.resolve("lhb").toString());
        assertEquals(
                Map.of("metrics.k8s.io/v1beta1", "GET /apis/metrics.k8s.io/v1beta1 answered 503: service unavailable"),
                discovery.unavailableGroupVersions());
        UnknownResourceTypeException e =
                assertThrows(UnknownResourceTypeException.class, () -> discovery.resolve("podmetrics"));
        assertTrue(
                e.getMessage().endsWith("; discovery failed for metrics.k8s.io/v1beta1, which may serve it"),
                e.getMessage());
    }

    @Test
    @DisplayName("/apis refused: DiscoveryFailedException with the code and the server's message")
    void groupListRefused() {
        ApiDiscovery discovery = discovery(
                FakeDiscovery.withCore().failing("/apis", 403, "forbidden: User \"x\" cannot get path \"/apis\""));

        DiscoveryFailedException e = assertThrows(DiscoveryFailedException.class, () -> discovery.resolve("cm"));
        assertEquals(403, e.httpStatus());
        assertEquals(
                "cannot read the API server's discovery: GET /apis answered 403: forbidden: User \"x\" cannot get path"
                        + " \"/apis\"",
                e.getMessage());
    }

    @Test
    @DisplayName("a discovery request that does not answer within the request timeout fails with status 0")
    void requestTimeout() {
        ApiDiscovery discovery = discovery(FakeDiscovery.withCore().delayed("/api", Duration.ofSeconds(30)))
                .withRequestTimeout(Duration.ofMillis(300));

        DiscoveryFailedException e = assertThrows(DiscoveryFailedException.class, () -> discovery.resolve("cm"));
        assertEquals(0, e.httpStatus());
        assertTrue(
                e.getMessage().startsWith("cannot read the API server's discovery: GET /api failed: "), e.getMessage());
    }

    @Test
    @DisplayName("edit distance counts a swap of neighbours as one edit")
    void editDistance() {
        assertEquals(0, ApiDiscovery.distance("backups", "backups"));
        assertEquals(1, ApiDiscovery.distance("oi", "io"));
        assertEquals(1, ApiDiscovery.distance("backup", "backups"));
        assertEquals(2, ApiDiscovery.distance("confgmap", "configmaps"));
    }
}
