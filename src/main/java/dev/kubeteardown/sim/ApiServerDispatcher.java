package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes the mock server answer like kube-apiserver. Served resources go to {@link ResourceOperations} over
 * the indexed {@link ObjectStore}; unserved versions and unknown resources of a served group get a real 404
 * Status; anything else falls through to fabric8's {@code KubernetesMixedDispatcher} (expectations, then
 * the CRUD mock), whose empty 404 bodies are replaced by a Status. Every resource request is counted, and
 * the current {@link FaultPlan} may replace, precede or delay its processing.
 */
final class ApiServerDispatcher extends Dispatcher {

    private final ObjectStore store;
    private final ResourceOperations operations;
    private final Dispatcher fallback;
    private final RequestStats stats;
    private final Set<String> notServed;
    private final Supplier<FaultInjector> faults;

    /**
     * @param notServed {@code group/version} strings answered 404 (core group: {@code /v1})
     */
    ApiServerDispatcher(
            ObjectStore store,
            ResourceOperations operations,
            Dispatcher fallback,
            RequestStats stats,
            Set<String> notServed,
            Supplier<FaultInjector> faults) {
        this.store = store;
        this.operations = operations;
        this.fallback = fallback;
        this.stats = stats;
        this.notServed = Set.copyOf(notServed);
        this.faults = faults;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        RequestInfo info = RequestInfo.parse(request.getMethod(), request.getPath());
        if (!info.resourceRequest()) {
            return nonResource(info, request);
        }
        if (info.verb() == null) {
            return StatusResponses.of(StatusException.methodNotAllowed(info.method()));
        }
        stats.request(info.verb(), info.resource());
        FaultInjector injector = faults.get();
        FaultInjector.Decision decision = injector.decide(info);
        decision.fired().forEach(stats::fault);
        MockResponse response;
        try {
            ApiResource served = route(info);
            response = decision.terminal() == null
                    ? serve(served, info, request, false)
                    : injected(
                            decision.terminal(),
                            served,
                            info,
                            request,
                            injector.plan().user());
        } catch (StatusException e) {
            response = StatusResponses.of(e);
        }
        return delayed(response, decision.delay());
    }

    @Override
    public void shutdown() {
        fallback.shutdown();
    }

    @Override
    public void releaseResources() {
        fallback.releaseResources();
    }

    /** The served resource, or null to fall through to the fabric8 mock; throws 404 for what is ours but absent. */
    private ApiResource route(RequestInfo info) {
        if (notServed.contains(info.group() + "/" + info.version())) {
            throw StatusException.notServed();
        }
        ApiResource served = store.resolve(info.group(), info.version(), info.resource());
        if (served == null && ownsGroup(info.group())) {
            throw StatusException.notServed();
        }
        return served;
    }

    private boolean ownsGroup(String group) {
        return !group.isEmpty()
                && store.served().stream().anyMatch(r -> r.group().equals(group));
    }

    private MockResponse serve(ApiResource served, RequestInfo info, RecordedRequest request, boolean expire) {
        if (served == null) {
            return delegate(info, request);
        }
        return operations.handle(
                served,
                info,
                request.getBody().getBytes(),
                request.getHeader("Content-Type"),
                request.getHeader("Accept"),
                expire);
    }

    private MockResponse injected(
            FaultPlan.Effect fault, ApiResource served, RequestInfo info, RecordedRequest request, String user) {
        return switch (fault.kind()) {
            case FORBIDDEN ->
                throw StatusException.forbidden(
                        served,
                        info.resourceWithSubresource(),
                        info.group(),
                        info.name(),
                        info.verb(),
                        info.namespace(),
                        user);
            case UNAUTHORIZED -> throw StatusException.unauthorized();
            case ERROR_STATUS -> throw StatusException.serverError(fault.code(), fault.retryAfter());
            case DISCONNECT -> new SpecialResponses.Disconnect();
            case NOT_FOUND_RACE -> {
                if (served != null) {
                    store.forceRemove(served, info.namespace(), info.name());
                }
                yield fault.body() == NotFoundBody.EMPTY
                        ? StatusResponses.emptyNotFound()
                        : StatusResponses.of(StatusException.notFound(resourceFor(served, info), info.name()));
            }
            case RECREATE_RACE -> {
                if (served != null) {
                    store.recreate(served, info.namespace(), info.name());
                }
                yield serve(served, info, request, false);
            }
            case EXPIRED_CONTINUE -> serve(served, info, request, true);
            case LATENCY, SLOW_RESPONSE -> serve(served, info, request, false);
        };
    }

    /** Passes the request to the fabric8 mock and replaces its empty 404 bodies by a real Status. */
    private MockResponse delegate(RequestInfo info, RecordedRequest request) {
        String upgrade = request.getHeader("Upgrade");
        if (info.verb() == Verb.WATCH
                && (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket"))) {
            // the fabric8 mock watches over WebSockets only; say so rather than end the stream at once
            throw StatusException.methodNotAllowed(
                    "watch over HTTP is served for the simulator's own resource types; " + "use a WebSocket or poll");
        }
        MockResponse response = fallback.dispatch(withTypeMeta(info, request));
        if (response.code() == 404
                && (response.getBody() == null || response.getBody().size() == 0)) {
            return info.name() == null
                    ? StatusResponses.of(StatusException.notServed())
                    : StatusResponses.of(StatusException.notFound(resourceFor(null, info), info.name()));
        }
        return response;
    }

    /**
     * A create or update body with {@code kind} and {@code apiVersion} taken from the URL, as kube-apiserver
     * takes them (fabric8's CRUD mock answers 422 without them), or the same request when the body is not a
     * JSON object or the kind of the URL's resource is unknown.
     */
    private static RecordedRequest withTypeMeta(RequestInfo info, RecordedRequest request) {
        if ((info.verb() != Verb.CREATE && info.verb() != Verb.UPDATE)
                || request.getBody() == null
                || request.getBody().size() == 0) {
            return request;
        }
        Optional<String> kind = BuiltInKinds.kindOf(info.group(), info.version(), info.resource());
        if (kind.isEmpty() || !(Json.parse(request.getBody().getBytes()) instanceof ObjectNode body)) {
            return request;
        }
        TypeMeta.apply(
                new ApiResource(
                        info.group(), info.version(), kind.get(), info.resource(), info.namespace() != null, List.of()),
                body);
        return new RecordedRequest(
                request.getHttpVersion(),
                request.method(),
                request.getPath(),
                request.getHeaders(),
                new Buffer(Json.bytes(body)));
    }

    /**
     * Discovery: {@code /api}, {@code /apis} and the served groups (404 for their other versions); everything else
     * goes to the fabric8 mock.
     */
    private MockResponse nonResource(RequestInfo info, RecordedRequest request) {
        if ("GET".equals(info.method())) {
            String root = info.path().endsWith("/")
                    ? info.path().substring(0, info.path().length() - 1)
                    : info.path();
            if (info.path().equals("/version")) {
                return Discovery.version();
            }
            if (info.path().equals("/")) {
                return Discovery.rootPaths(store.served());
            }
            if (root.equals("/api")) {
                return Discovery.apiVersions(store.served(), notServed);
            }
            if (root.equals("/apis")) {
                return Discovery.groupList(store.served(), notServed);
            }
            String group = info.group();
            String version = info.version();
            if (group == null && info.path().startsWith("/apis/")) {
                group = info.path().substring("/apis/".length()).replace("/", "");
            }
            if (group != null && version != null) {
                MockResponse discovery = notServed.contains(group + "/" + version)
                        ? null
                        : Discovery.resourceList(store.served(), group, version);
                if (discovery != null) {
                    return discovery;
                }
                if (notServed.contains(group + "/" + version) || ownsGroup(group)) {
                    return StatusResponses.of(StatusException.notServed());
                }
            } else if (group != null && ownsGroup(group)) {
                MockResponse served = Discovery.group(store.served(), notServed, group);
                return served != null ? served : StatusResponses.of(StatusException.notServed());
            }
        }
        return fallback.dispatch(request);
    }

    private static ApiResource resourceFor(ApiResource served, RequestInfo info) {
        return served != null
                ? served
                : new ApiResource(
                        info.group(),
                        info.version(),
                        info.resource(),
                        info.resource(),
                        info.namespace() != null,
                        List.of());
    }

    private static MockResponse delayed(MockResponse response, Duration delay) {
        if (!delay.isZero()) {
            response.setBodyDelay(delay);
        }
        return response;
    }
}
