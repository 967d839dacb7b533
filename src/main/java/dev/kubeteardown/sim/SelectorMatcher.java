package dev.kubeteardown.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label and field selectors with kube-apiserver's grammar and semantics, including the set-based forms the
 * fabric8 mock ignores ({@code in}, {@code notin}, {@code key}, {@code !key}) and {@code !=}, which matches
 * objects without the label. Custom resources support only the {@code metadata.name} and
 * {@code metadata.namespace} field selectors, as on a real server.
 */
final class SelectorMatcher implements Predicate<StoredObject> {

    static final SelectorMatcher EVERYTHING = new SelectorMatcher(List.of(), List.of());

    private static final Pattern SET_BASED = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$");
    private static final Pattern KEY = Pattern.compile(
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    private static final Pattern VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    private static final Set<String> FIELDS = Set.of("metadata.name", "metadata.namespace");

    private final List<Predicate<Map<String, String>>> labelRequirements;
    private final List<Predicate<StoredObject>> fieldRequirements;

    private SelectorMatcher(
            List<Predicate<Map<String, String>>> labelRequirements, List<Predicate<StoredObject>> fieldRequirements) {
        this.labelRequirements = labelRequirements;
        this.fieldRequirements = fieldRequirements;
    }

    /** Parses both selectors; either may be null. Syntax errors are 400 Status exceptions. */
    static SelectorMatcher parse(String labelSelector, String fieldSelector) {
        List<Predicate<Map<String, String>>> labels = new ArrayList<>();
        for (String requirement : splitTopLevel(labelSelector)) {
            labels.add(labelRequirement(requirement));
        }
        List<Predicate<StoredObject>> fields = new ArrayList<>();
        for (String requirement : splitTopLevel(fieldSelector)) {
            fields.add(fieldRequirement(requirement));
        }
        return labels.isEmpty() && fields.isEmpty() ? EVERYTHING : new SelectorMatcher(labels, fields);
    }

    boolean selectsEverything() {
        return labelRequirements.isEmpty() && fieldRequirements.isEmpty();
    }

    @Override
    public boolean test(StoredObject object) {
        for (Predicate<StoredObject> field : fieldRequirements) {
            if (!field.test(object)) {
                return false;
            }
        }
        Map<String, String> labels = object.labels();
        for (Predicate<Map<String, String>> label : labelRequirements) {
            if (!label.test(labels)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> splitTopLevel(String selector) {
        List<String> parts = new ArrayList<>();
        if (selector == null || selector.isBlank()) {
            return parts;
        }
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i).trim());
                start = i + 1;
            }
        }
        parts.add(selector.substring(start).trim());
        for (String part : parts) {
            if (part.isEmpty()) {
                throw unparsable(selector, "empty requirement");
            }
        }
        return parts;
    }

    private static Predicate<Map<String, String>> labelRequirement(String requirement) {
        Matcher setBased = SET_BASED.matcher(requirement);
        if (setBased.matches()) {
            String key = key(setBased.group(1), requirement);
            Set<String> values = new HashSet<>(values(setBased.group(3), requirement)); // Set.of rejects contains(null)
            return setBased.group(2).equals("in")
                    ? labels -> values.contains(labels.get(key))
                    : labels -> !values.contains(labels.get(key));
        }
        if (requirement.startsWith("!")) {
            String key = key(requirement.substring(1).trim(), requirement);
            return labels -> !labels.containsKey(key);
        }
        for (String operator : List.of("!=", "==", "=", ">", "<")) {
            int at = requirement.indexOf(operator);
            if (at > 0) {
                String key = key(requirement.substring(0, at).trim(), requirement);
                String value = requirement.substring(at + operator.length()).trim();
                return switch (operator) {
                    case "!=" -> {
                        value(value, requirement);
                        yield labels -> !value.equals(labels.get(key));
                    }
                    case ">", "<" -> numeric(key, value, operator.equals(">"), requirement);
                    default -> {
                        value(value, requirement);
                        yield labels -> value.equals(labels.get(key));
                    }
                };
            }
        }
        String key = key(requirement, requirement);
        return labels -> labels.containsKey(key);
    }

    private static Predicate<Map<String, String>> numeric(
            String key, String value, boolean greater, String requirement) {
        long bound;
        try {
            bound = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw unparsable(requirement, "for 'Gt', 'Lt' operators, the value must be an integer");
        }
        return labels -> {
            String label = labels.get(key);
            if (label == null) {
                return false;
            }
            try {
                long actual = Long.parseLong(label);
                return greater ? actual > bound : actual < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        };
    }

    private static List<String> values(String list, String requirement) {
        List<String> values = new ArrayList<>();
        for (String value : list.split(",", -1)) {
            values.add(value(value.trim(), requirement));
        }
        return values;
    }

    private static String key(String key, String requirement) {
        if (!KEY.matcher(key).matches() || key.length() > 316) {
            throw unparsable(requirement, "invalid label key \"" + key + "\"");
        }
        return key;
    }

    private static String value(String value, String requirement) {
        if (!VALUE.matcher(value).matches() || value.length() > 63) {
            throw unparsable(requirement, "invalid label value: \"" + value + "\"");
        }
        return value;
    }

    private static StatusException unparsable(String requirement, String detail) {
        return StatusException.badRequest("unable to parse requirement: " + requirement + ": " + detail);
    }

    private static Predicate<StoredObject> fieldRequirement(String requirement) {
        for (String operator : List.of("!=", "==", "=")) {
            int at = requirement.indexOf(operator);
            if (at > 0) {
                String field = requirement.substring(0, at).trim();
                String value = requirement.substring(at + operator.length()).trim();
                if (!FIELDS.contains(field)) {
                    throw StatusException.badRequest("field label not supported: " + field);
                }
                boolean name = field.equals("metadata.name");
                boolean equal = !operator.equals("!=");
                return object -> value.equals(name ? object.name() : object.namespace()) == equal;
            }
        }
        throw StatusException.badRequest("invalid field selector: " + requirement);
    }
}
