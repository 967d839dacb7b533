package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One list page, read as a stream: the list's {@code resourceVersion} and {@code continue}, and per item what the
 * lister needs from its metadata (labels included). The rest of each item (managedFields, spec, status) is skipped
 * without building a tree, unless a field selector must be checked against the whole object.
 */
record ListPage(String resourceVersion, String continueToken, List<Item> items) {

    /**
     * One item of the page.
     *
     * @param ref    its metadata, or {@code null} when it has no metadata object
     * @param object the whole item, kept only when asked for (a field selector to check)
     */
    record Item(ObjectRef ref, Map<String, String> labels, JsonObject object) {}

    /**
     * The page, or {@code null} when the body is not a JSON object (as {@link KubeApi.HttpResult#json()} reads it).
     *
     * @param keepObjects keep each item's whole JSON for a client-side field selector check
     */
    static ListPage parse(String body, boolean keepObjects) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try (JsonReader reader = new JsonReader(new StringReader(body))) {
            reader.setStrictness(Strictness.LENIENT); // as JsonParser.parseString
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                return null;
            }
            String resourceVersion = null;
            String continueToken = null;
            List<Item> items = List.of();
            reader.beginObject();
            while (reader.hasNext()) {
                switch (reader.nextName()) {
                    case "metadata" -> {
                        resourceVersion = null;
                        continueToken = null;
                        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                            reader.skipValue();
                            continue;
                        }
                        reader.beginObject();
                        while (reader.hasNext()) {
                            switch (reader.nextName()) {
                                case "resourceVersion" -> resourceVersion = DeleteAnswers.primitive(reader);
                                case "continue" -> continueToken = DeleteAnswers.primitive(reader);
                                default -> reader.skipValue();
                            }
                        }
                        reader.endObject();
                    }
                    case "items" -> items = items(reader, keepObjects);
                    default -> reader.skipValue();
                }
            }
            reader.endObject();
            return new ListPage(resourceVersion, continueToken, items);
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static List<Item> items(JsonReader reader, boolean keepObjects) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            reader.skipValue();
            return List.of();
        }
        List<Item> items = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                reader.skipValue();
            } else if (keepObjects) {
                JsonObject object = JsonParser.parseReader(reader).getAsJsonObject();
                JsonElement meta = object.get("metadata");
                ObjectRef ref = meta != null && meta.isJsonObject() ? ObjectRef.of(object) : null;
                items.add(new Item(ref, ObjectRef.labels(object), object));
            } else {
                items.add(item(reader));
            }
        }
        reader.endArray();
        return items;
    }

    private static Item item(JsonReader reader) throws IOException {
        ObjectRef ref = null;
        Map<String, String> labels = Map.of();
        reader.beginObject();
        while (reader.hasNext()) {
            if (!reader.nextName().equals("metadata")) {
                reader.skipValue();
            } else if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                reader.skipValue();
                ref = null;
                labels = Map.of();
            } else {
                Map<String, String> read = new HashMap<>();
                ref = DeleteAnswers.metadata(reader, read);
                labels = read;
            }
        }
        reader.endObject();
        return new Item(ref, labels, null);
    }
}
