package dev.kubeteardown.sim;

import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * PATCH bodies by content type, as kube-apiserver accepts them for custom resources: JSON patch (RFC 6902,
 * including {@code test}, which clients use for optimistic finalizer removal) and JSON merge patch
 * (RFC 7386). Strategic merge patch is refused with 415 for custom resources, as on a real server; for
 * built-in types it is applied as a merge patch. Server-side apply is not supported (415).
 */
final class Patches {

    private Patches() {}

    static ObjectNode apply(ApiResource resource, String contentType, JsonNode current, byte[] body) {
        String type =
                contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "application/json-patch+json" -> {
                JsonNode patch = Json.parse(body);
                if (!patch.isArray()) {
                    throw StatusException.badRequest(
                            "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
                }
                try {
                    JsonNode patched = JsonPatch.apply(patch, current);
                    if (patched instanceof ObjectNode object) {
                        return object;
                    }
                    throw StatusException.badRequest("the patch must leave an object");
                } catch (JsonPatchException | IllegalArgumentException e) {
                    throw StatusException.patchNotApplicable(e.getMessage());
                }
            }
            case "application/merge-patch+json" -> {
                return mergePatch(current, Json.parseObject(body));
            }
            case "application/strategic-merge-patch+json" -> {
                if (!resource.group().isEmpty()) {
                    throw StatusException.unsupportedMediaType();
                }
                return mergePatch(current, Json.parseObject(body));
            }
            default -> throw StatusException.unsupportedMediaType();
        }
    }

    /** RFC 7386: objects merge recursively, {@code null} removes, anything else replaces. */
    static ObjectNode mergePatch(JsonNode target, ObjectNode patch) {
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : Json.object();
        for (Map.Entry<String, JsonNode> entry : patch.properties()) {
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                result.remove(entry.getKey());
            } else if (value instanceof ObjectNode object) {
                result.set(entry.getKey(), mergePatch(result.get(entry.getKey()), object));
            } else {
                result.set(entry.getKey(), value.deepCopy());
            }
        }
        return result;
    }
}
