package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The verbs on served resources, with kube-apiserver's rules: status as a subresource, resource-version and
 * UID preconditions, dry run, finalizers (through the store), selectors, paging and watches.
 */
final class ResourceOperations {

    private final ObjectStore store;
    private final Pagination pagination;
    private final WatchStreams watches;

    ResourceOperations(ObjectStore store, Pagination pagination, WatchStreams watches) {
        this.store = store;
        this.pagination = pagination;
        this.watches = watches;
    }

    /**
     * @param expireContinue answer a continue token with 410 (fault injection)
     */
    MockResponse handle(
            ApiResource resource,
            RequestInfo request,
            byte[] body,
            String contentType,
            String accept,
            boolean expireContinue) {
        String namespace = namespace(resource, request);
        if (request.subresource() != null && !(request.statusSubresource() && request.name() != null)) {
            throw StatusException.notServed();
        }
        String name = request.name();
        return switch (request.verb()) {
            case GET -> {
                StoredObject object = store.get(resource, namespace, name);
                if (object == null) {
                    throw StatusException.notFound(resource, name);
                }
                yield StatusResponses.object(200, object, ResponseForm.negotiate(accept, false));
            }
            case LIST -> {
                ResponseForm form = ResponseForm.negotiate(accept, true);
                Pagination.Page page = pagination.page(
                        store,
                        resource,
                        namespace,
                        selectors(request),
                        request.longParam("limit", 0),
                        request.param("continue"),
                        expireContinue);
                yield StatusResponses.list(
                        resource,
                        page.items(),
                        page.resourceVersion(),
                        page.continueToken(),
                        page.remainingItemCount(),
                        form);
            }
            case WATCH -> watches.open(resource, request, selectors(request), ResponseForm.negotiate(accept, false));
            case CREATE -> {
                if (request.subresource() != null) {
                    throw StatusException.methodNotAllowed("create");
                }
                StoredObject created = store.create(
                        resource, namespace, Json.parseObject(body), ObjectStore.Origin.API, request.dryRun());
                yield StatusResponses.object(201, created);
            }
            case UPDATE -> {
                ObjectNode proposed = Json.parseObject(body);
                yield write(store.update(
                        resource,
                        namespace,
                        name,
                        current -> proposal(resource, request, current, proposed),
                        request.dryRun()));
            }
            case PATCH ->
                write(store.update(
                        resource,
                        namespace,
                        name,
                        current -> proposal(
                                resource, request, current, Patches.apply(resource, contentType, current.json(), body)),
                        request.dryRun()));
            case DELETE -> {
                DeleteRequest options = DeleteRequest.parse(request, body);
                yield write(store.delete(resource, namespace, name, options.preconditions(), options.dryRun()));
            }
            case DELETECOLLECTION -> deleteCollection(resource, namespace, request, body);
        };
    }

    private static MockResponse write(ObjectStore.WriteResult result) {
        return StatusResponses.object(200, result.object());
    }

    private MockResponse deleteCollection(ApiResource resource, String namespace, RequestInfo request, byte[] body) {
        DeleteRequest options = DeleteRequest.parse(request, body);
        SelectorMatcher filter = selectors(request);
        List<StoredObject> deleted = new ArrayList<>();
        for (StoredObject object : store.snapshot(resource, namespace).items()) {
            if (!filter.test(object)) {
                continue;
            }
            try {
                deleted.add(store.delete(
                                resource,
                                object.namespace(),
                                object.name(),
                                ObjectStore.Preconditions.NONE,
                                options.dryRun())
                        .object());
            } catch (StatusException gone) {
                if (gone.code() != 404) {
                    throw gone;
                }
            }
        }
        return StatusResponses.list(resource, deleted, store.resourceVersion(), null, null);
    }

    /**
     * The whole object a PUT or PATCH asks for: identity checks against the current version, then the status
     * rule (the main resource keeps the current status; {@code /status} changes only the status).
     */
    private static ObjectNode proposal(
            ApiResource resource, RequestInfo request, StoredObject current, ObjectNode proposed) {
        JsonNode metadata = Json.metadata(proposed);
        String name = Json.text(metadata, "name");
        if (name != null && !name.equals(current.name())) {
            throw StatusException.badRequest("the name of the object (" + name
                    + ") does not match the name on the URL (" + current.name() + ")");
        }
        String uid = Json.text(metadata, "uid");
        if (uid != null && !uid.equals(current.uid())) {
            throw StatusException.uidPrecondition(resource, current.name(), uid, current.uid());
        }
        String resourceVersion = Json.text(metadata, "resourceVersion");
        if (resourceVersion != null && !resourceVersion.equals(Long.toString(current.resourceVersion()))) {
            throw StatusException.modified(resource, current.name());
        }
        ObjectNode result = request.statusSubresource() ? current.copy() : proposed;
        JsonNode status = (request.statusSubresource() ? proposed : current.json()).get("status");
        if (status == null) {
            result.remove("status");
        } else {
            result.set("status", status.deepCopy());
        }
        return result;
    }

    private static SelectorMatcher selectors(RequestInfo request) {
        return SelectorMatcher.parse(request.param("labelSelector"), request.param("fieldSelector"));
    }

    /** The request's namespace, checked against the resource's scope the way the real router rejects paths. */
    private static String namespace(ApiResource resource, RequestInfo request) {
        if (!resource.namespaced()) {
            if (request.namespace() != null) {
                throw StatusException.notServed();
            }
            return null;
        }
        boolean needsNamespace =
                request.name() != null || request.verb() == Verb.CREATE || request.verb() == Verb.DELETECOLLECTION;
        if (needsNamespace && request.namespace() == null) {
            throw StatusException.notServed();
        }
        return request.namespace();
    }
}
