package dev.kubeteardown;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okio.BufferedSource;
import okio.Okio;

/**
 * Reads a 2xx answer to a mutating request as a stream, keeping only what a decision needs: whether it is a
 * {@code Status}, and the object's metadata otherwise (as {@link ObjectRef#of} would read it from the whole tree).
 * Everything else (spec, status, managedFields) is skipped without being built.
 */
final class DeleteAnswers {

    private DeleteAnswers() {}

    /**
     * The object the answer carries, or {@code null} for a {@code Status}, an empty body, or a body that is not a
     * JSON object with a metadata object. A broken connection still throws.
     */
    static ObjectRef read(BufferedSource source) throws IOException {
        try (JsonReader reader = new JsonReader(new InputStreamReader(source.inputStream(), StandardCharsets.UTF_8))) {
            reader.setStrictness(Strictness.LENIENT); // as JsonParser.parseString, which read these answers before
            ObjectRef object = readObject(reader);
            source.readAll(Okio.blackhole()); // what follows the object, so the connection can be reused
            return object;
        } catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException notJson) {
            return null; // EOFException: the body ended inside (or before) the JSON, not the connection
        }
    }

    private static ObjectRef readObject(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            return null;
        }
        reader.beginObject();
        String kind = null;
        ObjectRef meta = null;
        boolean hasMetadata = false;
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "kind" -> kind = primitive(reader);
                case "metadata" -> {
                    if (reader.peek() == JsonToken.BEGIN_OBJECT) {
                        meta = metadata(reader, null);
                        hasMetadata = true;
                    } else {
                        reader.skipValue();
                        meta = null;
                        hasMetadata = false;
                    }
                }
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        return "Status".equals(kind) || !hasMetadata ? null : meta;
    }

    /**
     * The fields of {@code metadata} that {@link ObjectRef#of} keeps; reader positioned at its opening brace.
     *
     * @param labels receives {@code metadata.labels} as {@link ObjectRef#labels} reads them, or {@code null}
     */
    static ObjectRef metadata(JsonReader reader, Map<String, String> labels) throws IOException {
        String namespace = null;
        String name = null;
        String uid = null;
        String resourceVersion = null;
        String deletionTimestamp = null;
        List<String> finalizers = List.of();
        List<ObjectRef.Owner> owners = List.of();
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "namespace" -> namespace = primitive(reader);
                case "name" -> name = primitive(reader);
                case "uid" -> uid = primitive(reader);
                case "resourceVersion" -> resourceVersion = primitive(reader);
                case "deletionTimestamp" -> deletionTimestamp = primitive(reader);
                case "finalizers" -> finalizers = strings(reader);
                case "ownerReferences" -> owners = owners(reader);
                case "labels" -> {
                    if (labels != null && reader.peek() == JsonToken.BEGIN_OBJECT) {
                        labels.clear();
                        reader.beginObject();
                        while (reader.hasNext()) {
                            String key = reader.nextName();
                            String value = primitive(reader); // null reads as "", as a JsonNull did
                            labels.put(key, value == null ? "" : value);
                        }
                        reader.endObject();
                    } else {
                        reader.skipValue();
                    }
                }
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        return new ObjectRef(namespace, name, uid, resourceVersion, finalizers, deletionTimestamp, owners);
    }

    /** A string, number or boolean as its text; anything else (null, object, array) reads as absent. */
    static String primitive(JsonReader reader) throws IOException {
        return switch (reader.peek()) {
            case STRING, NUMBER -> reader.nextString();
            case BOOLEAN -> Boolean.toString(reader.nextBoolean());
            default -> {
                reader.skipValue();
                yield null;
            }
        };
    }

    private static List<String> strings(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            reader.skipValue();
            return List.of();
        }
        List<String> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            String value = primitive(reader);
            if (value != null) {
                values.add(value);
            }
        }
        reader.endArray();
        return List.copyOf(values);
    }

    private static List<ObjectRef.Owner> owners(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            reader.skipValue();
            return List.of();
        }
        List<ObjectRef.Owner> owners = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                reader.skipValue();
                continue;
            }
            String kind = null;
            String name = null;
            String uid = null;
            reader.beginObject();
            while (reader.hasNext()) {
                switch (reader.nextName()) {
                    case "kind" -> kind = primitive(reader);
                    case "name" -> name = primitive(reader);
                    case "uid" -> uid = primitive(reader);
                    default -> reader.skipValue();
                }
            }
            reader.endObject();
            if (uid != null) {
                owners.add(new ObjectRef.Owner(kind, name, uid));
            }
        }
        reader.endArray();
        return List.copyOf(owners);
    }
}
