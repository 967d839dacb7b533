package dev.kubeteardown.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The simulator's discovery documents lead a client from {@code /api} and {@code /apis} to every served type. */
class DiscoveryTest {

    @Test
    @DisplayName("/api lists v1; /api/v1 lists namespaces and the core types the CRUD mock stores, with subresources")
    void coreGroup() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimHttp http = new SimHttp(sim);

            JsonObject versions = http.get("/api").json();
            assertEquals("APIVersions", versions.get("kind").getAsString());
            assertEquals(List.of("v1"), strings(versions, "versions"));
            List<String> core = names(http.get("/api/v1").json());
            assertEquals("namespaces", core.get(0));
            assertEquals(
                    List.of(
                            "namespaces",
                            "namespaces/status",
                            "configmaps",
                            "configmaps/status",
                            "secrets",
                            "secrets/status"),
                    core.subList(0, 6));
        }
    }

    @Test
    @DisplayName("/apis lists longhorn.io at v1beta2 with every Longhorn type in its resource list")
    void everyLonghornTypeIsDiscoverable() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimHttp http = new SimHttp(sim);

            JsonObject groups = http.get("/apis").json();
            assertEquals("APIGroupList", groups.get("kind").getAsString());
            assertEquals(1, groups.getAsJsonArray("groups").size());
            JsonObject longhorn = groups.getAsJsonArray("groups").get(0).getAsJsonObject();
            assertEquals("longhorn.io", longhorn.get("name").getAsString());
            assertEquals(
                    "v1beta2",
                    longhorn.getAsJsonObject("preferredVersion").get("version").getAsString());
            List<String> plurals = names(http.get("/apis/longhorn.io/v1beta2").json()).stream()
                    .filter(n -> !n.contains("/"))
                    .toList();
            assertEquals(LonghornResources.ALL.stream().map(ApiResource::plural).toList(), plurals);
        }
    }

    @Test
    @DisplayName("with v1beta1 served too, /apis lists v1beta2 first and prefers it, whatever the registration order")
    void preferredVersionByKubernetesPriority() {
        ApiResource v1beta1 = new ApiResource("longhorn.io", "v1beta1", "Backup", "backups", true, List.of("lhb"));
        ApiResource v1 = new ApiResource("example.com", "v1", "Widget", "widgets", true, List.of());
        ApiResource v2alpha1 = new ApiResource("example.com", "v2alpha1", "Widget", "widgets", true, List.of());
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .serve(v1beta1)
                .serve(v2alpha1)
                .serve(v1)
                .start()) {
            SimHttp http = new SimHttp(sim);

            JsonObject longhorn = group(http, "longhorn.io");
            assertEquals(List.of("v1beta2", "v1beta1"), versions(longhorn));
            assertEquals(
                    "v1beta2",
                    longhorn.getAsJsonObject("preferredVersion").get("version").getAsString());
            JsonObject example = group(http, "example.com");
            assertEquals(List.of("v1", "v2alpha1"), versions(example));
            assertEquals(
                    "longhorn.io/v1beta1",
                    http.get("/apis/longhorn.io/v1beta1")
                            .json()
                            .get("groupVersion")
                            .getAsString());
        }
    }

    @Test
    @DisplayName("a version that is not served is left out of /apis and /apis/<group>, and its list is a 404")
    void notServedVersionIsLeftOut() {
        ApiResource v1beta1 = new ApiResource("longhorn.io", "v1beta1", "Backup", "backups", true, List.of("lhb"));
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .serve(v1beta1)
                .notServed("longhorn.io", "v1beta2")
                .start()) {
            SimHttp http = new SimHttp(sim);

            assertEquals(List.of("v1beta1"), versions(group(http, "longhorn.io")));
            assertEquals(
                    List.of("v1beta1"), versions(http.get("/apis/longhorn.io").json()));
            assertEquals(404, http.get("/apis/longhorn.io/v1beta2").code());
        }
    }

    @Test
    @DisplayName("version priority: GA before beta before alpha, higher numbers first, other names last")
    void versionPriority() {
        List<String> versions =
                new ArrayList<>(List.of("v1alpha1", "foo", "v1beta1", "v2", "v1", "v1beta2", "v10", "v2beta1"));
        versions.sort(Discovery.VERSION_PRIORITY);
        assertEquals(List.of("v10", "v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1", "foo"), versions);
    }

    private static JsonObject group(SimHttp http, String name) {
        for (JsonElement group : http.get("/apis").json().getAsJsonArray("groups")) {
            if (group.getAsJsonObject().get("name").getAsString().equals(name)) {
                return group.getAsJsonObject();
            }
        }
        throw new AssertionError("no group " + name + " in /apis");
    }

    private static List<String> versions(JsonObject group) {
        List<String> versions = new ArrayList<>();
        group.getAsJsonArray("versions")
                .forEach(v -> versions.add(v.getAsJsonObject().get("version").getAsString()));
        return versions;
    }

    private static List<String> names(JsonObject resourceList) {
        List<String> names = new ArrayList<>();
        resourceList
                .getAsJsonArray("resources")
                .forEach(r -> names.add(r.getAsJsonObject().get("name").getAsString()));
        return names;
    }

    private static List<String> strings(JsonObject object, String field) {
        List<String> values = new ArrayList<>();
        object.getAsJsonArray(field).forEach(v -> values.add(v.getAsString()));
        return values;
    }
}
