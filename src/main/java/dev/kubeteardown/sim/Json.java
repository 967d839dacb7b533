package dev.kubeteardown.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Jackson helpers for the simulator's JSON documents; stored documents are never mutated in place. */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Parses a request body that must be a JSON object; anything else is a 400, as on a real server. */
    static ObjectNode parseObject(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node instanceof ObjectNode object) {
                return object;
            }
            throw StatusException.badRequest("the request body must be a JSON object");
        } catch (JacksonException e) {
            throw StatusException.badRequest("invalid JSON in request body: " + e.getOriginalMessage());
        }
    }

    static JsonNode parse(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw StatusException.badRequest("invalid JSON in request body: " + e.getOriginalMessage());
        }
    }

    static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    /** The string value of {@code node.field}, or null when it is absent or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    static JsonNode metadata(JsonNode object) {
        return object.path("metadata");
    }

    /** The metadata object of a document being built or changed, created when missing. */
    static ObjectNode metadataForWrite(ObjectNode object) {
        JsonNode metadata = object.get("metadata");
        if (metadata instanceof ObjectNode existing) {
            return existing;
        }
        return object.putObject("metadata");
    }

    static Map<String, String> stringMap(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            map.put(entry.getKey(), value.isString() ? value.stringValue() : value.toString());
        }
        return Collections.unmodifiableMap(map);
    }

    static List<String> stringList(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            return List.of();
        }
        List<String> list = new ArrayList<>(node.size());
        for (JsonNode value : node) {
            list.add(value.isString() ? value.stringValue() : value.toString());
        }
        return List.copyOf(list);
    }

    static ArrayNode stringArray(List<String> values) {
        ArrayNode array = array();
        values.forEach(array::add);
        return array;
    }

    static ObjectNode stringObject(Map<String, String> values) {
        ObjectNode object = object();
        values.forEach(object::put);
        return object;
    }
}
