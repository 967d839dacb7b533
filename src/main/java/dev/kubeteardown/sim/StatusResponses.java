package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.MockResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** Renders what the dispatcher answers: Status bodies, objects and lists, as JSON with a real server's headers. */
final class StatusResponses {

    private static final byte[] LIST_ITEMS_OPEN = "\"items\":[".getBytes(StandardCharsets.UTF_8);

    private StatusResponses() {}

    static MockResponse of(StatusException status) {
        MockResponse response = json(status.code(), Json.bytes(status.toStatus()));
        if (status.retryAfter() != null) {
            response.setHeader("Retry-After", Long.toString(status.retryAfterSeconds()));
        }
        return response;
    }

    /** A 404 without a body, as the plain fabric8 CRUD mock answers. */
    static MockResponse emptyNotFound() {
        return new MockResponse().setResponseCode(404);
    }

    static MockResponse object(int code, StoredObject object) {
        return json(code, object.bytes());
    }

    static MockResponse object(int code, StoredObject object, ResponseForm form) {
        return json(code, object.bytes(form));
    }

    static MockResponse json(int code, byte[] body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    /** A {@code <Kind>List}; items are copied as their cached bytes, never re-serialized. */
    static MockResponse list(
            ApiResource resource,
            List<StoredObject> items,
            long resourceVersion,
            String continueToken,
            Long remainingItemCount) {
        return list(resource, items, resourceVersion, continueToken, remainingItemCount, ResponseForm.FULL);
    }

    /** A {@code <Kind>List}, or a {@code PartialObjectMetadataList} for {@link ResponseForm#METADATA}. */
    static MockResponse list(
            ApiResource resource,
            List<StoredObject> items,
            long resourceVersion,
            String continueToken,
            Long remainingItemCount,
            ResponseForm form) {
        ObjectNode metadata = Json.object();
        metadata.put("resourceVersion", Long.toString(resourceVersion));
        if (continueToken != null) {
            metadata.put("continue", continueToken);
        }
        if (remainingItemCount != null) {
            metadata.put("remainingItemCount", remainingItemCount);
        }
        ObjectNode head = Json.object();
        boolean metadataOnly = form == ResponseForm.METADATA;
        head.put("apiVersion", metadataOnly ? ResponseForm.META_API_VERSION : resource.apiVersion());
        head.put("kind", metadataOnly ? "PartialObjectMetadataList" : resource.listKind());
        head.set("metadata", metadata);
        byte[] headBytes = Json.bytes(head);
        int size = headBytes.length + LIST_ITEMS_OPEN.length + 3;
        for (StoredObject item : items) {
            size += item.bytes(form).length + 1;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(size);
        body.write(headBytes, 0, headBytes.length - 1); // drop the closing brace
        body.write(',');
        body.writeBytes(LIST_ITEMS_OPEN);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(items.get(i).bytes(form));
        }
        body.write(']');
        body.write('}');
        return json(200, body.toByteArray());
    }
}
