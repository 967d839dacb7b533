package dev.kubeteardown.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request addresses, parsed the way kube-apiserver's RequestInfoFactory does: group, version,
 * namespace, resource, name, subresource and verb, plus the decoded query.
 */
record RequestInfo(
        String method,
        String path,
        Map<String, String> query,
        boolean resourceRequest,
        String group,
        String version,
        String namespace,
        String resource,
        String name,
        String subresource,
        Verb verb) {

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
    private static final Set<String> TRUE = Set.of("true", "1", "t", "T", "TRUE", "True");

    static RequestInfo parse(String method, String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        Map<String, String> query = q < 0 ? Map.of() : parseQuery(uri.substring(q + 1));
        List<String> parts =
                Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        String version;
        List<String> rest;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            version = parts.get(1);
            rest = parts.subList(2, parts.size());
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            version = parts.get(2);
            rest = parts.subList(3, parts.size());
        } else {
            return new RequestInfo(method, path, query, false, null, null, null, null, null, null, null);
        }
        if (rest.isEmpty()) {
            return new RequestInfo(method, path, query, false, group, version, null, null, null, null, null);
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() > 1) {
            namespace = rest.get(1);
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                rest = rest.subList(2, rest.size());
            } else {
                namespace = null;
            }
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : null;
        String subresource = rest.size() > 2 ? String.join("/", rest.subList(2, rest.size())) : null;
        boolean watch = TRUE.contains(query.getOrDefault("watch", ""));
        if (watch && name != null) {
            // the deprecated form GET .../backups/x?watch=true watches one object
            query = new HashMap<>(query);
            String field = "metadata.name=" + name;
            query.merge("fieldSelector", field, (a, b) -> a.isEmpty() ? b : a + "," + b);
            name = null;
        }
        Verb verb = Verb.of(method, name != null, watch);
        return new RequestInfo(
                method, path, Map.copyOf(query), true, group, version, namespace, resource, name, subresource, verb);
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new HashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.putIfAbsent(key, value);
        }
        return query;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    String param(String key) {
        String value = query.get(key);
        return value == null || value.isEmpty() ? null : value;
    }

    boolean dryRun() {
        return "All".equals(query.get("dryRun"));
    }

    boolean statusSubresource() {
        return "status".equals(subresource);
    }

    /** The resource as RBAC and the request counters see it: {@code backups}, or {@code backups/status}. */
    String resourceWithSubresource() {
        return subresource == null ? resource : resource + "/" + subresource;
    }

    long longParam(String key, long fallback) {
        String value = param(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw StatusException.badRequest("invalid value for " + key + ": " + value);
        }
    }
}
