package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed field selector ({@code metadata.name=x,metadata.namespace!=y}).
 *
 * <p>Checked up front, and matched client-side for the fields present in the listed object, so a server that
 * ignores the selector cannot widen the scope.
 */
final class FieldSelector {

    record Requirement(String field, boolean equals, String value) {
        /** Fields the object does not carry are left to the server, which evaluated them. */
        boolean matches(JsonObject object) {
            JsonElement current = object;
            for (String part : field.split("\\.")) {
                if (current == null || !current.isJsonObject()) {
                    return true;
                }
                current = current.getAsJsonObject().get(part);
            }
            if (current == null || !current.isJsonPrimitive()) {
                return true;
            }
            return current.getAsString().equals(value) == equals;
        }
    }

    static final FieldSelector EVERYTHING = new FieldSelector("", List.of());

    private final String text;
    private final List<Requirement> requirements;

    private FieldSelector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = List.copyOf(requirements);
    }

    static FieldSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String term : splitUnescaped(selector, ',')) {
            String t = term.trim();
            int ne = t.indexOf("!=");
            int eq = t.indexOf('=');
            boolean negated = ne >= 0 && ne < eq;
            int opAt = negated ? ne : eq;
            if (t.isEmpty() || opAt < 0) {
                throw invalid(
                        selector,
                        "term \"" + t + "\" has no operator (expected field=value, field==value or field!=value)");
            }
            String field = t.substring(0, opAt).trim();
            int valueAt = negated ? opAt + 2 : (t.startsWith("==", opAt) ? opAt + 2 : opAt + 1);
            String value = unescape(t.substring(valueAt).trim());
            if (field.isEmpty() || !field.matches("[A-Za-z0-9_.\\-/]+")) {
                throw invalid(selector, "term \"" + t + "\" has an invalid field name \"" + field + "\"");
            }
            if (value.startsWith("=")) {
                throw invalid(selector, "term \"" + t + "\" has an invalid operator");
            }
            requirements.add(new Requirement(field, !negated, value));
        }
        return new FieldSelector(selector.trim(), requirements);
    }

    boolean matches(JsonObject object) {
        return requirements.stream().allMatch(r -> r.matches(object));
    }

    /**
     * Whether a requirement names a field outside {@code metadata} (e.g. {@code status.phase}): then the client-side
     * check needs whole objects, and a metadata-only list would make it pass everything the server sent.
     */
    boolean needsFullObjects() {
        return requirements.stream().anyMatch(r -> !r.field().startsWith("metadata."));
    }

    boolean isEverything() {
        return requirements.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<String> splitUnescaped(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                current.append(c).append(s.charAt(++i));
            } else if (c == separator) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unescape(String value) {
        return value.replaceAll("\\\\(.)", "$1");
    }

    private static IllegalArgumentException invalid(String selector, String problem) {
        return new IllegalArgumentException("invalid field selector \"" + selector + "\": " + problem);
    }
}
