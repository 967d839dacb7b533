package dev.kubeteardown;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API server serves, from its discovery documents ({@code /api}, {@code /apis} and each group version's
 * APIResourceList), and type names resolved as kubectl resolves them. One cache per {@link ApiClient}, shared by
 * every {@code ApiDiscovery.of(client)}, held only as long as the client is reachable.
 *
 * <pre>{@code
 * ServedType cm = ApiDiscovery.of(client).resolve("cm");                   // configmaps, v1
 * ResourceType backups = ApiDiscovery.of(client).resolve("backups.longhorn.io").toResourceType();
 * }</pre>
 *
 * <p>Accepted spellings, tried in this order: {@code plural.version.group}, then {@code plural.group} (or, without a
 * dot, any group); within each, the plural, the singular, then a short name; after these, the kind ({@code Kind},
 * {@code Kind.group}, {@code Kind.version.group}). Every match ignores case. Without a version in the name, each type
 * resolves to its group's preferred version, or when that version does not serve it, to the first version that does.
 * Subresources ({@code pods/log}) are never resolved nor listed.
 *
 * <p>A name that matches types of several groups resolves as kubectl does when the core group is among them
 * ({@code events} is {@code v1} events, not {@code events.k8s.io}) or when all of them are built-in groups (the
 * server's group order decides); otherwise, for instance {@code backups} with two CRDs of that plural, it is an
 * {@link AmbiguousResourceTypeException} listing the candidates, because deleting from a guessed group is not
 * acceptable for a teardown.
 *
 * <p>A name that matches nothing is looked up once more in freshly fetched discovery (a CRD may have been installed
 * since) before an {@link UnknownResourceTypeException} names it with close matches. {@link #invalidate()} forces a
 * new fetch for everything. Each discovery request is bounded by {@link #DEFAULT_REQUEST_TIMEOUT} unless
 * {@link #withRequestTimeout(Duration)} says otherwise; a group version whose list fails (an unavailable aggregated
 * API) is left out and reported by {@link #unavailableGroupVersions()}, as kubectl does.
 */
public final class ApiDiscovery {

    /** Bound of each discovery request: 10 seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ApiDiscovery.class);
    private static final int MAX_SUGGESTIONS = 5;

    // weak keys: the cache (the value) never refers to its client, so a dropped client takes its cache with it
    private static final Map<ApiClient, Cache> CACHES = new WeakHashMap<>(); // guarded by itself

    private final ApiClient client;
    private final Duration requestTimeout;
    private final Cache cache;

    private ApiDiscovery(ApiClient client, Duration requestTimeout, Cache cache) {
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.cache = cache;
    }

    /** Discovery through this client, sharing the client's cache; nothing is fetched until first needed. */
    public static ApiDiscovery of(ApiClient client) {
        Objects.requireNonNull(client, "client");
        Cache cache;
        synchronized (CACHES) {
            cache = CACHES.computeIfAbsent(client, c -> new Cache());
        }
        return new ApiDiscovery(client, DEFAULT_REQUEST_TIMEOUT, cache);
    }

    /** The same discovery (and cache) with another bound on each request. */
    public ApiDiscovery withRequestTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, was " + timeout);
        }
        return new ApiDiscovery(client, timeout, cache);
    }

    /**
     * The served type a name stands for, spelled as for kubectl: {@code backups.longhorn.io},
     * {@code backups.v1beta2.longhorn.io}, {@code configmaps}, {@code cm}, {@code ConfigMap}, {@code backup},
     * {@code deployments.apps}.
     *
     * @throws UnknownResourceTypeException   when nothing matches, even in freshly fetched discovery
     * @throws AmbiguousResourceTypeException when types of several groups match and no priority rule picks one
     * @throws DiscoveryFailedException       when {@code /api} or {@code /apis} cannot be read
     */
    public ServedType resolve(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("resource type name must not be blank, was " + quoted(name));
        }
        String input = name.strip();
        Fetched fetched = cache.current(this);
        Optional<ServedType> found = lookup(input, fetched.snapshot());
        if (found.isEmpty() && !fetched.fresh()) {
            LOG.debug("Resource type \"{}\" is not in cached discovery; fetching discovery again", input);
            Snapshot again = cache.refresh(this, fetched.snapshot());
            found = lookup(input, again);
            fetched = new Fetched(again, true);
        }
        Snapshot snapshot = fetched.snapshot();
        return found.orElseThrow(() -> unknown(input, snapshot));
    }

    /**
     * Every served resource type (subresources excluded), each once at the version {@link #resolve} picks: the
     * group's preferred version, or the first version serving it when the preferred one does not. In the server's
     * order: the core group first, then the groups as {@code /apis} lists them.
     */
    public List<ServedType> allServed() {
        return distinctTypes(cache.current(this).snapshot().types());
    }

    /**
     * The first of {@code versions} that the group serves, or with no versions given the group's preferred version;
     * empty when none is served. For Longhorn: {@code servedVersion("longhorn.io", "v1beta2", "v1beta1")}. A group
     * missing from cached discovery is looked up once more in freshly fetched discovery.
     */
    public Optional<String> servedVersion(String group, String... versions) {
        Objects.requireNonNull(group, "group");
        Fetched fetched = cache.current(this);
        Optional<String> found = servedVersion(fetched.snapshot(), group, versions);
        if (found.isEmpty() && !fetched.fresh()) {
            found = servedVersion(cache.refresh(this, fetched.snapshot()), group, versions);
        }
        return found;
    }

    /**
     * Group versions the server announces but whose resource list could not be read (e.g. an aggregated API that
     * is down), as {@code group/version} to the reason; their types are missing from {@link #allServed()}.
     */
    public Map<String, String> unavailableGroupVersions() {
        return cache.current(this).snapshot().failures();
    }

    /** Forgets what was discovered through this client (every view of its cache): the next call fetches again. */
    public void invalidate() {
        cache.invalidate();
    }

    // ---- resolution

    private enum Match {
        PLURAL,
        SINGULAR,
        SHORT_NAME,
        KIND;

        boolean matches(ServedType type, String name) {
            return switch (this) {
                case PLURAL -> type.plural().toLowerCase(Locale.ROOT).equals(name);
                case SINGULAR -> type.singular().toLowerCase(Locale.ROOT).equals(name);
                case SHORT_NAME ->
                    type.shortNames().stream()
                            .anyMatch(s -> s.toLowerCase(Locale.ROOT).equals(name));
                case KIND -> type.kind().toLowerCase(Locale.ROOT).equals(name);
            };
        }
    }

    /** One reading of a name: {@code group} and {@code version} null when the name leaves them open. */
    private record Query(String name, String version, String group) {
        boolean accepts(ServedType type) {
            return (group == null || type.group().equals(group))
                    && (version == null || type.version().equals(version));
        }

        /** {@code a.b.c} reads as name.version.group, then as name.group; a name without a dot leaves both open. */
        static List<Query> of(String lowerCase) {
            int dot = lowerCase.indexOf('.');
            if (dot < 0) {
                return List.of(new Query(lowerCase, null, null));
            }
            String name = lowerCase.substring(0, dot);
            String rest = lowerCase.substring(dot + 1);
            int second = rest.indexOf('.');
            return second > 0
                    ? List.of(
                            new Query(name, rest.substring(0, second), rest.substring(second + 1)),
                            new Query(name, null, rest))
                    : List.of(new Query(name, null, rest));
        }
    }

    private static Optional<ServedType> lookup(String input, Snapshot snapshot) {
        List<Query> queries = Query.of(input.toLowerCase(Locale.ROOT));
        for (Query query : queries) {
            for (Match match : List.of(Match.PLURAL, Match.SINGULAR, Match.SHORT_NAME)) {
                Optional<ServedType> found = pick(input, query, match, snapshot);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        for (Query query : queries) {
            Optional<ServedType> found = pick(input, query, Match.KIND, snapshot);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<ServedType> pick(String input, Query query, Match match, Snapshot snapshot) {
        List<ServedType> candidates = distinctTypes(snapshot.types().stream()
                .filter(t -> query.accepts(t) && match.matches(t, query.name()))
                .toList());
        if (candidates.size() <= 1) {
            return candidates.stream().findFirst();
        }
        boolean oneTypePerGroup =
                candidates.stream().map(ServedType::group).distinct().count() == candidates.size();
        if (oneTypePerGroup) {
            Optional<ServedType> core =
                    candidates.stream().filter(t -> t.group().isEmpty()).findFirst();
            if (core.isPresent()) {
                return core; // kubectl gives the core group priority over every other
            }
            if (candidates.stream().allMatch(t -> builtInGroup(t.group()))) {
                return Optional.of(candidates.get(0)); // kubectl: the server's group order
            }
        }
        throw new AmbiguousResourceTypeException(
                input,
                candidates,
                "resource type " + quoted(input) + " is ambiguous: it matches "
                        + String.join(
                                ", ",
                                candidates.stream().map(ServedType::toString).toList())
                        + "; name the group, e.g. " + candidates.get(0).qualifiedName());
    }

    /** Groups of Kubernetes itself: no dot ({@code apps}) or under {@code k8s.io}; CRD groups need a dot. */
    private static boolean builtInGroup(String group) {
        return !group.contains(".") || group.endsWith(".k8s.io");
    }

    /** Each group-resource once, at its first (highest priority) version. */
    private static List<ServedType> distinctTypes(List<ServedType> types) {
        Map<String, ServedType> first = new LinkedHashMap<>();
        types.forEach(t -> first.putIfAbsent(t.group() + "/" + t.plural(), t));
        return List.copyOf(first.values());
    }

    private static Optional<String> servedVersion(Snapshot snapshot, String group, String... versions) {
        List<String> served = snapshot.groupVersions().getOrDefault(group, List.of());
        if (versions.length == 0) {
            return served.stream().findFirst();
        }
        return Stream.of(versions).filter(served::contains).findFirst();
    }

    private static UnknownResourceTypeException unknown(String input, Snapshot snapshot) {
        List<String> suggestions = suggestions(input.toLowerCase(Locale.ROOT), distinctTypes(snapshot.types()));
        StringBuilder message = new StringBuilder("unknown resource type ")
                .append(quoted(input))
                .append(": the API server serves no resource, short name or kind by that name");
        if (suggestions.size() == 1) {
            message.append("; did you mean ").append(suggestions.get(0)).append('?');
        } else if (!suggestions.isEmpty()) {
            message.append("; did you mean one of ")
                    .append(String.join(", ", suggestions))
                    .append('?');
        } else {
            message.append(" (is its CRD installed?)");
        }
        if (!snapshot.failures().isEmpty()) {
            message.append("; discovery failed for ")
                    .append(String.join(", ", snapshot.failures().keySet()))
                    .append(", which may serve it");
        }
        return new UnknownResourceTypeException(input, suggestions, message.toString());
    }

    /** Served types within a small edit distance of the name (or starting with it), closest first. */
    static List<String> suggestions(String name, List<ServedType> types) {
        int limit = Math.max(1, Math.min(3, name.length() / 4));
        record Scored(String name, int score, int order) {}
        List<Scored> scored = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            ServedType type = types.get(i);
            int best = Integer.MAX_VALUE;
            for (String form : forms(type)) {
                int score = name.length() >= 3 && form.startsWith(name) ? 1 : distance(name, form);
                best = Math.min(best, score);
            }
            if (best <= limit) {
                scored.add(new Scored(type.qualifiedName(), best, i));
            }
        }
        return scored.stream()
                .sorted(Comparator.comparingInt(Scored::score).thenComparingInt(Scored::order))
                .map(Scored::name)
                .distinct()
                .limit(MAX_SUGGESTIONS)
                .toList();
    }

    private static List<String> forms(ServedType type) {
        List<String> names = new ArrayList<>(List.of(type.plural(), type.singular(), type.kind()));
        names.addAll(type.shortNames());
        List<String> forms = new ArrayList<>();
        for (String n : names) {
            String lower = n.toLowerCase(Locale.ROOT);
            forms.add(lower);
            if (!type.group().isEmpty()) {
                forms.add(lower + "." + type.group());
                forms.add(lower + "." + type.version() + "." + type.group());
            }
        }
        return forms;
    }

    /** Edit distance counting a swap of two adjacent characters as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    // ---- fetching

    /**
     * What one fetch found.
     *
     * @param types         every served type at every served version, in priority order: the core group, then the
     *                      groups as {@code /apis} lists them; within a group the preferred version first
     * @param groupVersions each group's served versions, preferred first
     * @param failures      {@code group/version} whose resource list could not be read, to the reason
     */
    private record Snapshot(
            List<ServedType> types, Map<String, List<String>> groupVersions, Map<String, String> failures) {}

    private record Fetched(Snapshot snapshot, boolean fresh) {}

    /** One client's discovery; it must not refer to the client (the weak key). */
    private static final class Cache {
        private Snapshot snapshot; // guarded by this

        /** The cached snapshot, fetched first when there is none ({@code fresh}). */
        synchronized Fetched current(ApiDiscovery discovery) {
            if (snapshot == null) {
                snapshot = discovery.fetch();
                return new Fetched(snapshot, true);
            }
            return new Fetched(snapshot, false);
        }

        /** Fetches again unless another caller already replaced {@code stale}. */
        synchronized Snapshot refresh(ApiDiscovery discovery, Snapshot stale) {
            if (snapshot == null || snapshot == stale) {
                snapshot = discovery.fetch();
            }
            return snapshot;
        }

        synchronized void invalidate() {
            snapshot = null;
        }
    }

    /** A finished request: the code and body, or the I/O error. */
    private record Reply(String path, int code, String body, IOException error) {
        boolean isSuccess() {
            return error == null && code >= 200 && code < 300;
        }

        String problem() {
            return error != null
                    ? "GET " + path + " failed: " + Retrier.describe(error)
                    : "GET " + path + " answered " + code + ": " + new KubeApi.HttpResult(code, body, null).message();
        }

        JsonObject json() {
            return new KubeApi.HttpResult(code, body, null).json();
        }
    }

    private Snapshot fetch() {
        long started = System.nanoTime();
        List<Call> calls = new ArrayList<>();
        try {
            CompletableFuture<Reply> apiRequest = get("/api", calls);
            CompletableFuture<Reply> apisRequest = get("/apis", calls);
            JsonObject api = required(apiRequest.get());
            JsonObject apis = required(apisRequest.get());

            Map<String, List<String>> groupVersions = new LinkedHashMap<>();
            groupVersions.put("", strings(api.get("versions")));
            for (JsonElement element : array(apis.get("groups"))) {
                JsonObject group = element.getAsJsonObject();
                List<String> versions = new ArrayList<>();
                String preferred = string(object(group.get("preferredVersion")).get("version"));
                if (!preferred.isEmpty()) {
                    versions.add(preferred);
                }
                for (JsonElement version : array(group.get("versions"))) {
                    String v = string(version.getAsJsonObject().get("version"));
                    if (!v.isEmpty() && !versions.contains(v)) {
                        versions.add(v);
                    }
                }
                groupVersions.put(string(group.get("name")), List.copyOf(versions));
            }

            Map<String, CompletableFuture<Reply>> lists = new LinkedHashMap<>();
            groupVersions.forEach((group, versions) -> versions.forEach(version -> lists.put(
                    group.isEmpty() ? version : group + "/" + version,
                    get(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version, calls))));

            List<ServedType> types = new ArrayList<>();
            Map<String, String> failures = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> group : groupVersions.entrySet()) {
                for (String version : group.getValue()) {
                    String groupVersion = group.getKey().isEmpty() ? version : group.getKey() + "/" + version;
                    Reply reply = lists.get(groupVersion).get();
                    if (!reply.isSuccess() || reply.json() == null) {
                        String problem =
                                reply.isSuccess() ? "GET " + reply.path() + " answered no JSON" : reply.problem();
                        LOG.warn("Discovery of {} failed, its resource types are left out: {}", groupVersion, problem);
                        failures.put(groupVersion, problem);
                        continue;
                    }
                    types.addAll(parse(group.getKey(), version, reply.json()));
                }
            }
            LOG.debug(
                    "Discovered {} resource types in {} group versions in {} ms",
                    types.size(),
                    lists.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new Snapshot(List.copyOf(types), Map.copyOf(groupVersions), unmodifiable(failures));
        } catch (InterruptedException e) {
            calls.forEach(Call::cancel);
            Thread.currentThread().interrupt();
            throw new DiscoveryFailedException(0, "API discovery was interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("discovery requests complete normally", e);
        } catch (RuntimeException e) {
            calls.forEach(Call::cancel);
            throw e;
        }
    }

    private static Map<String, String> unmodifiable(Map<String, String> ordered) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(ordered));
    }

    private static JsonObject required(Reply reply) {
        JsonObject json = reply.isSuccess() ? reply.json() : null;
        if (json == null) {
            String problem = reply.isSuccess() ? "GET " + reply.path() + " answered no JSON" : reply.problem();
            throw new DiscoveryFailedException(
                    reply.error() != null ? 0 : reply.code(),
                    "cannot read the API server's discovery: " + problem,
                    reply.error());
        }
        return json;
    }

    private static List<ServedType> parse(String group, String version, JsonObject list) {
        List<ServedType> types = new ArrayList<>();
        for (JsonElement element : array(list.get("resources"))) {
            JsonObject resource = element.getAsJsonObject();
            String name = string(resource.get("name"));
            if (name.isEmpty() || name.contains("/")) {
                continue; // a subresource such as pods/log
            }
            types.add(new ServedType(
                    group,
                    version,
                    name,
                    string(resource.get("singularName")),
                    string(resource.get("kind")),
                    resource.has("namespaced") && resource.get("namespaced").getAsBoolean(),
                    strings(resource.get("verbs")),
                    strings(resource.get("shortNames"))));
        }
        return types;
    }

    /** Sends a GET through the client (its authentication, TLS and base path), bounded by the request timeout. */
    private CompletableFuture<Reply> get(String path, List<Call> calls) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Call call;
        try {
            call = new KubeApi(client, requestTimeout).newGetCall(path);
        } catch (IOException e) {
            reply.complete(new Reply(path, 0, "", e));
            return reply;
        }
        call.timeout().timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        calls.add(call);
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                reply.complete(new Reply(path, 0, "", e));
            }

            @Override
            public void onResponse(Call answered, Response response) {
                try (response) {
                    ResponseBody body = response.body();
                    reply.complete(new Reply(path, response.code(), body == null ? "" : body.string(), null));
                } catch (IOException e) {
                    reply.complete(new Reply(path, response.code(), "", e));
                }
            }
        });
        return reply;
    }

    private static JsonArray array(JsonElement element) {
        return element != null && element.isJsonArray() ? element.getAsJsonArray() : new JsonArray();
    }

    private static JsonObject object(JsonElement element) {
        return element != null && element.isJsonObject() ? element.getAsJsonObject() : new JsonObject();
    }

    private static String string(JsonElement element) {
        return element != null && element.isJsonPrimitive() ? element.getAsString() : "";
    }

    private static List<String> strings(JsonElement element) {
        List<String> values = new ArrayList<>();
        array(element).forEach(e -> values.add(string(e)));
        return values;
    }
}
