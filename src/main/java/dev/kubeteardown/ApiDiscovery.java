package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.stream.Collectors;

/**
 * What the API server serves, from its discovery endpoints ({@code /api}, {@code /apis} and one
 * {@code APIResourceList} per group version), and type names resolved as kubectl resolves them:
 * {@code backups.longhorn.io} (plural.group), {@code backups.v1beta2.longhorn.io} (plural.version.group),
 * {@code configmaps} (a core plural), {@code cm} (a short name), {@code ConfigMap} (a kind), {@code configmap} (a
 * singular), {@code deployments.apps}. A group's preferred version is used unless the name fixes one; subresources
 * ({@code pods/log}) are never types.
 *
 * <pre>{@code
 * ResourceType backups = ApiDiscovery.of(client).resolve("lhb").resourceType();
 * }</pre>
 *
 * <p>One instance per {@link ApiClient}, cached (weakly) and thread-safe: group lists and resource lists are fetched
 * once, when first needed. A name that is not found triggers one fresh discovery (a CRD installed since) before it is
 * an error, which names the input and the closest served names.
 */
public final class ApiDiscovery {

    /** Cap on each discovery request: {@value #REQUEST_TIMEOUT_SECONDS} s. */
    public static final long REQUEST_TIMEOUT_SECONDS = 30;

    private static final Map<ApiClient, ApiDiscovery> CACHE = Collections.synchronizedMap(new WeakHashMap<>());
    private static final String CORE = "";

    /**
     * One resource type as the server serves it.
     *
     * @param group            the API group, {@code ""} for the core group
     * @param version          the version this entry is served at
     * @param plural           e.g. {@code backups}
     * @param singular         e.g. {@code backup} (may be empty on old servers)
     * @param kind             e.g. {@code Backup}
     * @param namespaced       whether its objects live in namespaces
     * @param verbs            e.g. {@code [create, delete, deletecollection, get, list, patch, update, watch]}
     * @param shortNames       e.g. {@code [lhb]}
     * @param preferredVersion whether {@code version} is its group's preferred version
     */
    public record ServedType(
            String group,
            String version,
            String plural,
            String singular,
            String kind,
            boolean namespaced,
            Set<String> verbs,
            List<String> shortNames,
            boolean preferredVersion) {

        /** The engine's resource type for it. */
        public ResourceType resourceType() {
            return new ResourceType(group, version, plural, namespaced);
        }

        /** {@code plural.group} as kubectl spells it, e.g. {@code backups.longhorn.io}; the plural for core types. */
        public String qualifiedName() {
            return group.isEmpty() ? plural : plural + "." + group;
        }

        /** Whether it can be listed and deleted one by one, which is what a cleanup does. */
        public boolean isDeletable() {
            return verbs.contains("list") && verbs.contains("delete");
        }
    }

    private record GroupInfo(String name, List<String> versions, String preferred) {}

    private final ApiClient client;
    private Map<String, GroupInfo> groups; // by name, core first, in the server's order
    private final Map<String, List<ServedType>> resources = new LinkedHashMap<>(); // by group/version

    private ApiDiscovery(ApiClient client) {
        this.client = client;
    }

    /** The discovery of this client's server; one per client. */
    public static ApiDiscovery of(ApiClient client) {
        return CACHE.computeIfAbsent(client, ApiDiscovery::new);
    }

    /** Forgets what was discovered (CRDs installed or removed since): the next question asks the server again. */
    public synchronized void invalidate() {
        groups = null;
        resources.clear();
    }

    /**
     * The type a kubectl-style name refers to.
     *
     * @throws IllegalArgumentException when nothing served matches (naming the closest served names), or the name
     *                                  matches types of several groups (naming them)
     * @throws KubeTeardownException    when the discovery endpoints cannot be read
     */
    public synchronized ServedType resolve(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("resource type must not be blank");
        }
        String wanted = name.strip();
        Optional<ServedType> found = find(wanted);
        if (found.isEmpty()) {
            invalidate(); // perhaps installed since the last look
            found = find(wanted);
        }
        return found.orElseThrow(() -> unknown(wanted));
    }

    /**
     * Every type served at its group's preferred version (core included), subresources excluded, in the server's
     * order of groups.
     */
    public synchronized List<ServedType> allServed() {
        List<ServedType> all = new ArrayList<>();
        for (GroupInfo group : groups().values()) {
            all.addAll(resources(group.name(), group.preferred()));
        }
        return all;
    }

    /** The first of {@code versions} that {@code group} serves, if any (e.g. {@code v1beta2}, else {@code v1beta1}). */
    public synchronized Optional<String> servedVersion(String group, String... versions) {
        GroupInfo info = groups().get(group);
        if (info == null) {
            return Optional.empty();
        }
        for (String v : versions) {
            if (info.versions().contains(v)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private Optional<ServedType> find(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        int dot = lower.indexOf('.');
        if (dot > 0) {
            String resource = lower.substring(0, dot);
            String rest = lower.substring(dot + 1);
            // plural.version.group (backups.v1beta2.longhorn.io, deployments.v1.apps)
            int nextDot = rest.indexOf('.');
            if (nextDot > 0) {
                String version = rest.substring(0, nextDot);
                GroupInfo group = groups().get(rest.substring(nextDot + 1));
                if (group != null && group.versions().contains(version)) {
                    Optional<ServedType> hit = match(resources(group.name(), version), resource);
                    if (hit.isPresent()) {
                        return hit;
                    }
                }
            }
            // plural.group (backups.longhorn.io, deployments.apps)
            GroupInfo group = groups().get(rest);
            if (group != null) {
                Optional<ServedType> hit = match(resources(group.name(), group.preferred()), resource);
                if (hit.isPresent()) {
                    return hit;
                }
            }
        }
        // unqualified: the core group wins, as in kubectl; otherwise it must be unique across groups
        List<ServedType> hits = new ArrayList<>();
        for (GroupInfo group : groups().values()) {
            match(resources(group.name(), group.preferred()), lower).ifPresent(hits::add);
            if (group.name().equals(CORE) && !hits.isEmpty()) {
                return Optional.of(hits.get(0));
            }
        }
        if (hits.size() > 1) {
            throw new IllegalArgumentException("resource type \"" + name + "\" is ambiguous: it names "
                    + hits.stream().map(ServedType::qualifiedName).collect(Collectors.joining(", "))
                    + "; qualify it with its group");
        }
        return hits.stream().findFirst();
    }

    /** Within one group version: plural, then singular, then short name, then kind (case-insensitive). */
    private static Optional<ServedType> match(List<ServedType> types, String lower) {
        for (ServedType t : types) {
            if (t.plural().equals(lower)) {
                return Optional.of(t);
            }
        }
        for (ServedType t : types) {
            if (t.singular().equals(lower)) {
                return Optional.of(t);
            }
        }
        for (ServedType t : types) {
            if (t.shortNames().contains(lower)) {
                return Optional.of(t);
            }
        }
        for (ServedType t : types) {
            if (t.kind().toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private IllegalArgumentException unknown(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> candidates = allServed().stream()
                .flatMap(t -> {
                    List<String> names = new ArrayList<>(List.of(t.qualifiedName()));
                    names.addAll(t.shortNames());
                    return names.stream();
                })
                .distinct()
                .map(candidate -> Map.entry(candidate, distance(lower, candidate)))
                .filter(e -> e.getValue() <= Math.max(2, lower.length() / 3)
                        || e.getKey().startsWith(lower)
                        || lower.startsWith(e.getKey() + "."))
                .sorted(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getValue())
                        .thenComparing(Map.Entry::getKey))
                .limit(5)
                .map(Map.Entry::getKey)
                .toList();
        return new IllegalArgumentException("the server does not serve a resource type \"" + name + "\""
                + (candidates.isEmpty() ? "" : "; did you mean " + String.join(", ", candidates) + "?"));
    }

    /** Levenshtein distance: how many edits turn one name into the other. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private Map<String, GroupInfo> groups() {
        if (groups == null) {
            Map<String, GroupInfo> found = new LinkedHashMap<>();
            JsonObject core = get("/api");
            List<String> coreVersions = strings(core, "versions");
            if (!coreVersions.isEmpty()) {
                found.put(CORE, new GroupInfo(CORE, coreVersions, coreVersions.get(0)));
            }
            JsonObject apis = get("/apis");
            for (JsonElement g : array(apis, "groups")) {
                if (!g.isJsonObject()) {
                    continue;
                }
                JsonObject group = g.getAsJsonObject();
                String name = ObjectRef.string(group, "name");
                List<String> versions = new ArrayList<>();
                for (JsonElement v : array(group, "versions")) {
                    if (v.isJsonObject() && ObjectRef.string(v.getAsJsonObject(), "version") != null) {
                        versions.add(ObjectRef.string(v.getAsJsonObject(), "version"));
                    }
                }
                JsonElement preferred = group.get("preferredVersion");
                String preferredVersion = preferred != null && preferred.isJsonObject()
                        ? ObjectRef.string(preferred.getAsJsonObject(), "version")
                        : null;
                if (name != null && !versions.isEmpty()) {
                    found.put(
                            name,
                            new GroupInfo(
                                    name,
                                    List.copyOf(versions),
                                    preferredVersion != null ? preferredVersion : versions.get(0)));
                }
            }
            groups = found;
        }
        return groups;
    }

    private List<ServedType> resources(String group, String version) {
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        List<ServedType> cached = resources.get(groupVersion);
        if (cached != null) {
            return cached;
        }
        GroupInfo info = groups().get(group);
        boolean preferred = info != null && version.equals(info.preferred());
        JsonObject list = get((group.isEmpty() ? "/api/" : "/apis/") + groupVersion);
        List<ServedType> types = new ArrayList<>();
        for (JsonElement r : array(list, "resources")) {
            if (!r.isJsonObject()) {
                continue;
            }
            JsonObject resource = r.getAsJsonObject();
            String plural = ObjectRef.string(resource, "name");
            if (plural == null || plural.contains("/")) {
                continue; // a subresource such as pods/log
            }
            String singular = ObjectRef.string(resource, "singularName");
            String kind = ObjectRef.string(resource, "kind");
            types.add(new ServedType(
                    group,
                    version,
                    plural,
                    singular == null ? "" : singular,
                    kind == null ? "" : kind,
                    resource.has("namespaced") && resource.get("namespaced").getAsBoolean(),
                    Set.copyOf(new LinkedHashSet<>(strings(resource, "verbs"))),
                    strings(resource, "shortNames"),
                    preferred));
        }
        List<ServedType> result = List.copyOf(types);
        resources.put(groupVersion, result);
        return result;
    }

    /** One discovery document; an error names the endpoint and the server's answer. */
    private JsonObject get(String path) {
        KubeApi api = new KubeApi(client, Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS));
        Deadline deadline = Deadline.after(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS), Ticker.SYSTEM);
        try {
            KubeApi.HttpResult result = api.get(path, deadline);
            if (result.code() == 404) {
                return new JsonObject(); // a group version removed since the group list was read: nothing there
            }
            JsonObject json = result.json();
            if (!result.isSuccess() || json == null) {
                throw new KubeTeardownException("API discovery failed: GET " + path + " answered " + result.code() + " "
                        + Classifier.reason(result.code()) + ": " + result.message());
            }
            return json;
        } catch (IOException e) {
            throw new KubeTeardownException(
                    "API discovery failed: cannot reach the API server at " + api.baseUrl() + " for GET " + path + " ("
                            + Retrier.describe(e) + ")",
                    e);
        }
    }

    private static List<JsonElement> array(JsonObject object, String field) {
        JsonElement e = object == null ? null : object.get(field);
        List<JsonElement> items = new ArrayList<>();
        if (e != null && e.isJsonArray()) {
            e.getAsJsonArray().forEach(items::add);
        }
        return items;
    }

    private static List<String> strings(JsonObject object, String field) {
        List<String> values = new ArrayList<>();
        for (JsonElement e : array(object, field)) {
            if (e.isJsonPrimitive()) {
                values.add(e.getAsString());
            }
        }
        return List.copyOf(values);
    }
}
