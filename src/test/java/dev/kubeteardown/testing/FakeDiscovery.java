package dev.kubeteardown.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Discovery documents for a {@link MockCluster} ({@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/<group>/<version>}), built from the types a test declares; every type also gets a {@code /status}
 * subresource, and pods a {@code pods/log}. Mutable while the server runs (a CRD installed later), so that what the
 * server announces can change between requests. Install with {@code cluster.intercept(discovery)}.
 */
public final class FakeDiscovery implements MockCluster.Interceptor {

    /** What a full-access resource supports. */
    public static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private record Type(
            String group,
            String version,
            String kind,
            String plural,
            boolean namespaced,
            List<String> verbs,
            List<String> shortNames) {}

    private final Map<String, List<String>> groupVersions = new LinkedHashMap<>(); // listing order
    private final Map<String, String> preferred = new HashMap<>();
    private final Map<String, List<Type>> types = new LinkedHashMap<>(); // by group/version
    private final Map<String, Supplier<MockResponse>> overrides = new HashMap<>(); // by path

    /** The core types most tests need: configmaps (cm), pods (po, with pods/log), events (ev), namespaces (ns). */
    public static FakeDiscovery withCore() {
        return new FakeDiscovery()
                .serve("", "v1", "ConfigMap", "configmaps", "cm")
                .serve("", "v1", "Pod", "pods", "po")
                .serve("", "v1", "Event", "events", "ev")
                .serveClusterScoped("", "v1", "Namespace", "namespaces", "ns");
    }

    /** A namespaced type with every verb. */
    public synchronized FakeDiscovery serve(
            String group, String version, String kind, String plural, String... shortNames) {
        return add(new Type(group, version, kind, plural, true, ALL_VERBS, List.of(shortNames)));
    }

    public synchronized FakeDiscovery serveClusterScoped(
            String group, String version, String kind, String plural, String... shortNames) {
        return add(new Type(group, version, kind, plural, false, ALL_VERBS, List.of(shortNames)));
    }

    /** A namespaced type that supports only these verbs. */
    public synchronized FakeDiscovery serveWithVerbs(
            String group, String version, String kind, String plural, List<String> verbs) {
        return add(new Type(group, version, kind, plural, true, verbs, List.of()));
    }

    /** The version {@code /apis} announces as the group's preferred one (default: the first one served). */
    public synchronized FakeDiscovery preferred(String group, String version) {
        preferred.put(group, version);
        return this;
    }

    /** Answers GETs of {@code path} with a fresh response from {@code response} instead (a failure, a delay). */
    public synchronized FakeDiscovery answer(String path, Supplier<MockResponse> response) {
        overrides.put(path, response);
        return this;
    }

    /** Answers GETs of {@code path} with a {@code Status} of this code and message. */
    public FakeDiscovery failing(String path, int code, String message) {
        String reason = code == 403 ? "Forbidden" : "ServiceUnavailable";
        return answer(path, () -> MockCluster.status(code, reason, message));
    }

    /** Answers GETs of {@code path} only after this delay. */
    public FakeDiscovery delayed(String path, Duration delay) {
        return answer(path, () -> render(path).setBodyDelay(delay));
    }

    private FakeDiscovery add(Type type) {
        groupVersions.computeIfAbsent(type.group(), g -> new ArrayList<>());
        if (!groupVersions.get(type.group()).contains(type.version())) {
            groupVersions.get(type.group()).add(type.version());
        }
        types.computeIfAbsent(groupVersion(type.group(), type.version()), gv -> new ArrayList<>())
                .add(type);
        return this;
    }

    @Override
    public synchronized MockResponse intercept(RecordedRequest request, MockCluster cluster) {
        String path = request.getPath().split("\\?")[0];
        if (!"GET".equals(request.getMethod()) || !isDiscoveryPath(path)) {
            return null;
        }
        Supplier<MockResponse> override = overrides.get(path);
        return override != null ? override.get() : render(path);
    }

    private static boolean isDiscoveryPath(String path) {
        String[] parts = path.substring(1).split("/");
        return (parts[0].equals("api") && parts.length <= 2) || (parts[0].equals("apis") && parts.length <= 3);
    }

    private synchronized MockResponse render(String path) {
        String[] parts = path.substring(1).split("/");
        if (path.equals("/api")) {
            JsonObject body = new JsonObject();
            body.addProperty("kind", "APIVersions");
            body.add("versions", strings(groupVersions.getOrDefault("", List.of())));
            return json(body);
        }
        if (path.equals("/apis")) {
            return json(groupList());
        }
        if (parts.length == 2 && parts[0].equals("api")) {
            return resourceList("", parts[1]);
        }
        if (parts.length == 3) {
            return resourceList(parts[1], parts[2]);
        }
        return MockCluster.status(404, "NotFound", "the server could not find the requested resource");
    }

    private JsonObject groupList() {
        JsonObject body = new JsonObject();
        body.addProperty("kind", "APIGroupList");
        body.addProperty("apiVersion", "v1");
        JsonArray groups = new JsonArray();
        groupVersions.forEach((group, versions) -> {
            if (group.isEmpty()) {
                return;
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("name", group);
            JsonArray list = new JsonArray();
            for (String version : versions) {
                list.add(versionEntry(group, version));
            }
            entry.add("versions", list);
            entry.add("preferredVersion", versionEntry(group, preferred.getOrDefault(group, versions.get(0))));
            groups.add(entry);
        });
        body.add("groups", groups);
        return body;
    }

    private MockResponse resourceList(String group, String version) {
        List<Type> served = types.get(groupVersion(group, version));
        if (served == null) {
            return MockCluster.status(404, "NotFound", "the server could not find the requested resource");
        }
        JsonObject body = new JsonObject();
        body.addProperty("kind", "APIResourceList");
        body.addProperty("apiVersion", "v1");
        body.addProperty("groupVersion", groupVersion(group, version));
        JsonArray resources = new JsonArray();
        for (Type type : served) {
            JsonObject resource = new JsonObject();
            resource.addProperty("name", type.plural());
            // built-in core types report no singular name on a real server; CRDs do
            resource.addProperty(
                    "singularName", group.isEmpty() ? "" : type.kind().toLowerCase(Locale.ROOT));
            resource.addProperty("namespaced", type.namespaced());
            resource.addProperty("kind", type.kind());
            resource.add("verbs", strings(type.verbs()));
            if (!type.shortNames().isEmpty()) {
                resource.add("shortNames", strings(type.shortNames()));
            }
            resources.add(resource);
            resources.add(subresource(type, "status", List.of("get", "patch", "update")));
            if (group.isEmpty() && type.plural().equals("pods")) {
                resources.add(subresource(type, "log", List.of("get")));
            }
        }
        body.add("resources", resources);
        return json(body);
    }

    private static JsonObject subresource(Type type, String name, List<String> verbs) {
        JsonObject sub = new JsonObject();
        sub.addProperty("name", type.plural() + "/" + name);
        sub.addProperty("singularName", "");
        sub.addProperty("namespaced", type.namespaced());
        sub.addProperty("kind", name.equals("log") ? "Pod" : type.kind());
        sub.add("verbs", strings(verbs));
        return sub;
    }

    private static JsonObject versionEntry(String group, String version) {
        JsonObject entry = new JsonObject();
        entry.addProperty("groupVersion", groupVersion(group, version));
        entry.addProperty("version", version);
        return entry;
    }

    private static String groupVersion(String group, String version) {
        return group.isEmpty() ? version : group + "/" + version;
    }

    private static JsonArray strings(List<String> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }

    private static MockResponse json(JsonObject body) {
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }
}
