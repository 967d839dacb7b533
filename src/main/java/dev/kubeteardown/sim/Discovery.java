package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * API discovery documents, as kube-apiserver 1.20 serves them, so that discovery-based clients find every served
 * kind: {@code /api} (APIVersions), {@code /apis} (APIGroupList), {@code /apis/<group>} (APIGroup) and
 * {@code /api/v1}, {@code /apis/<group>/<version>} (APIResourceList, with the {@code /status} subresources).
 * Versions listed as not served are left out everywhere, and a group's versions are ordered (and its preferred
 * version chosen) as the API server does for CRDs: GA before beta before alpha, higher numbers first.
 */
final class Discovery {

    private static final List<String> VERBS =
            List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch");

    /**
     * Core {@code v1} types that requests reach fabric8's CRUD store for (it serves any path), listed so that a
     * discovery client resolves them as on a real cluster; the simulator's own core types come first.
     */
    private static final List<ApiResource> CRUD_CORE_TYPES = List.of(
            core("ConfigMap", "configmaps", true, "cm"),
            core("Secret", "secrets", true),
            core("Pod", "pods", true, "po"),
            core("Service", "services", true, "svc"),
            core("ServiceAccount", "serviceaccounts", true, "sa"),
            core("PersistentVolumeClaim", "persistentvolumeclaims", true, "pvc"),
            core("PersistentVolume", "persistentvolumes", false, "pv"),
            core("Event", "events", true, "ev"));

    private static final Pattern KUBE_VERSION = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");

    /** Kubernetes version priority: v2 &gt; v1 &gt; v1beta2 &gt; v1beta1 &gt; v1alpha1 &gt; anything else (by name). */
    static final Comparator<String> VERSION_PRIORITY = Discovery::compareVersions;

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

    /** {@code /api}: the core group's versions. */
    static MockResponse apiVersions(Collection<ApiResource> served, Set<String> notServed) {
        ObjectNode body = Json.object();
        body.put("kind", "APIVersions");
        ArrayNode versions = body.putArray("versions");
        versions.add("v1");
        for (String version : versions(served, notServed, "")) {
            if (!version.equals("v1")) {
                versions.add(version);
            }
        }
        ObjectNode address = body.putArray("serverAddressByClientCIDRs").addObject();
        address.put("clientCIDR", "0.0.0.0/0");
        address.put("serverAddress", "127.0.0.1:6443");
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /apis}: every served group with its served versions, in the order the groups were registered. */
    static MockResponse groupList(Collection<ApiResource> served, Set<String> notServed) {
        ObjectNode body = Json.object();
        body.put("kind", "APIGroupList");
        body.put("apiVersion", "v1");
        ArrayNode groups = body.putArray("groups");
        served.stream()
                .map(ApiResource::group)
                .filter(g -> !g.isEmpty())
                .distinct()
                .forEach(g -> {
                    List<String> versions = versions(served, notServed, g);
                    if (!versions.isEmpty()) {
                        groups.add(groupNode(g, versions));
                    }
                });
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /apis/<group>}: an APIGroup, or null when no version of the group is served. */
    static MockResponse group(Collection<ApiResource> served, Set<String> notServed, String group) {
        List<String> versions = group.isEmpty() ? List.of() : versions(served, notServed, group);
        if (versions.isEmpty()) {
            return null;
        }
        ObjectNode body = groupNode(group, versions);
        body.put("kind", "APIGroup");
        body.put("apiVersion", "v1");
        return StatusResponses.json(200, Json.bytes(body));
    }

    /** {@code /apis/<group>/<version>} or {@code /api/v1}: an APIResourceList, or null when nothing is served there. */
    static MockResponse resourceList(Collection<ApiResource> served, String group, String version) {
        Map<String, ApiResource> resources = new LinkedHashMap<>();
        served.stream()
                .filter(r -> r.group().equals(group) && r.version().equals(version))
                .forEach(r -> resources.putIfAbsent(r.plural(), r));
        if (resources.isEmpty()) {
            return null;
        }
        if (group.isEmpty() && version.equals("v1")) {
            CRUD_CORE_TYPES.forEach(r -> resources.putIfAbsent(r.plural(), r));
        }
        ObjectNode list = Json.object();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode items = list.putArray("resources");
        for (ApiResource resource : resources.values()) {
            ObjectNode item = items.addObject();
            item.put("name", resource.plural());
            // CRDs report the singular; built-in core types report "" (clients derive it from the kind)
            item.put("singularName", group.isEmpty() ? "" : resource.kind().toLowerCase(Locale.ROOT));
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

    /** The group's served versions, highest priority first. */
    static List<String> versions(Collection<ApiResource> served, Set<String> notServed, String group) {
        List<String> versions = new ArrayList<>(served.stream()
                .filter(r -> r.group().equals(group))
                .map(ApiResource::version)
                .filter(v -> !notServed.contains(group + "/" + v))
                .distinct()
                .toList());
        versions.sort(VERSION_PRIORITY);
        return versions;
    }

    private static ObjectNode groupNode(String group, List<String> versions) {
        ObjectNode node = Json.object();
        node.put("name", group);
        ArrayNode list = node.putArray("versions");
        for (String version : versions) {
            ObjectNode entry = list.addObject();
            entry.put("groupVersion", group + "/" + version);
            entry.put("version", version);
        }
        ObjectNode preferred = node.putObject("preferredVersion");
        preferred.put("groupVersion", group + "/" + versions.get(0));
        preferred.put("version", versions.get(0));
        return node;
    }

    private static int compareVersions(String a, String b) {
        Matcher ma = KUBE_VERSION.matcher(a);
        Matcher mb = KUBE_VERSION.matcher(b);
        boolean ka = ma.matches();
        boolean kb = mb.matches();
        if (!ka || !kb) {
            return ka == kb ? a.compareTo(b) : (ka ? -1 : 1);
        }
        int stability = Integer.compare(stability(mb.group(2)), stability(ma.group(2)));
        if (stability != 0) {
            return stability;
        }
        int major = Long.compare(Long.parseLong(mb.group(1)), Long.parseLong(ma.group(1)));
        if (major != 0 || ma.group(3) == null) {
            return major;
        }
        return Long.compare(Long.parseLong(mb.group(3)), Long.parseLong(ma.group(3)));
    }

    private static int stability(String level) {
        return level == null ? 2 : level.equals("beta") ? 1 : 0;
    }

    private static ApiResource core(String kind, String plural, boolean namespaced, String... shortNames) {
        return new ApiResource("", "v1", kind, plural, namespaced, List.of(shortNames));
    }
}
