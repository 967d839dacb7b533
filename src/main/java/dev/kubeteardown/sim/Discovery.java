package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** API discovery documents for the served groups, so that discovery-based clients find the kinds. */
final class Discovery {

    private static final List<String> VERBS =
            List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch");

    private Discovery() {}

    /**
     * {@code /version}: version 0.0, as fabric8's mock server answers (no real Kubernetes version is
     * simulated).
     */
    static MockResponse version() {
        ObjectNode body = Json.object();
        body.put("major", "0");
        body.put("minor", "0");
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /}: the root paths, as kube-apiserver lists them: the served groups and versions. */
    static MockResponse rootPaths(Collection<ApiResource> served) {
        SortedSet<String> paths = new TreeSet<>(List.of("/api", "/api/v1", "/apis", "/version"));
        for (ApiResource resource : served) {
            if (!resource.group().isEmpty()) {
                paths.add("/apis/" + resource.group());
                paths.add("/apis/" + resource.group() + "/" + resource.version());
            }
        }
        ObjectNode body = Json.object();
        body.set("paths", Json.stringArray(List.copyOf(paths)));
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /apis/<group>/<version>}: an APIResourceList, or null when nothing is served there. */
    static MockResponse resourceList(Collection<ApiResource> served, String group, String version) {
        List<ApiResource> resources = served.stream()
                .filter(r -> r.group().equals(group) && r.version().equals(version))
                .toList();
        if (resources.isEmpty()) {
            return null;
        }
        ObjectNode list = Json.object();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", resources.get(0).apiVersion());
        ArrayNode items = list.putArray("resources");
        for (ApiResource resource : resources) {
            ObjectNode item = items.addObject();
            item.put("name", resource.plural());
            item.put("singularName", resource.kind().toLowerCase(Locale.ROOT));
            item.put("namespaced", resource.namespaced());
            item.put("kind", resource.kind());
            item.set("verbs", Json.stringArray(VERBS));
            if (!resource.shortNames().isEmpty()) {
                item.set("shortNames", Json.stringArray(resource.shortNames()));
            }
            ObjectNode status = items.addObject();
            status.put("name", resource.plural() + "/status");
            status.put("singularName", "");
            status.put("namespaced", resource.namespaced());
            status.put("kind", resource.kind());
            status.set("verbs", Json.stringArray(List.of("get", "patch", "update")));
        }
        return StatusResponses.json(200, Json.bytes(list));
    }

    /** {@code /api}: the core group's versions. */
    static MockResponse coreVersions() {
        ObjectNode body = Json.object();
        body.put("kind", "APIVersions");
        body.set("versions", Json.stringArray(List.of("v1")));
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /apis}: an APIGroupList of every served group (versions answered 404 left out), as a server lists them. */
    static MockResponse groupList(Collection<ApiResource> served, Set<String> notServed) {
        ObjectNode body = Json.object();
        body.put("kind", "APIGroupList");
        body.put("apiVersion", "v1");
        ArrayNode groups = body.putArray("groups");
        served.stream()
                .map(ApiResource::group)
                .filter(g -> !g.isEmpty())
                .distinct()
                .forEach(group -> {
                    List<String> versions = served.stream()
                            .filter(r -> r.group().equals(group) && !notServed.contains(group + "/" + r.version()))
                            .map(ApiResource::version)
                            .distinct()
                            .toList();
                    if (!versions.isEmpty()) {
                        groups.add(groupNode(group, versions));
                    }
                });
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /apis/<group>}: an APIGroup, or null when the group is not served. */
    static MockResponse group(Collection<ApiResource> served, String group) {
        List<String> versions = served.stream()
                .filter(r -> r.group().equals(group) && !group.isEmpty())
                .map(ApiResource::version)
                .distinct()
                .toList();
        if (versions.isEmpty()) {
            return null;
        }
        ObjectNode body = groupNode(group, versions);
        body.put("kind", "APIGroup");
        body.put("apiVersion", "v1");
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** A group with its versions, the first preferred (the simulator lists its storage version first). */
    private static ObjectNode groupNode(String group, List<String> versions) {
        ObjectNode body = Json.object();
        body.put("name", group);
        ArrayNode list = body.putArray("versions");
        for (String version : versions) {
            ObjectNode entry = list.addObject();
            entry.put("groupVersion", group + "/" + version);
            entry.put("version", version);
        }
        ObjectNode preferred = body.putObject("preferredVersion");
        preferred.put("groupVersion", group + "/" + versions.get(0));
        preferred.put("version", versions.get(0));
        return body;
    }
}
