package dev.kubeteardown;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed Kubernetes label selector (the grammar of apimachinery's {@code labels.Parse}).
 *
 * <p>Parsing up front turns a typo into an error before anything is deleted. Matching client-side as well keeps
 * the scope exact on servers that ignore part of a selector (the fabric8 mock ignores set-based requirements).
 */
final class LabelSelector {

    private static final String SPECIAL = "!=<>(),";

    enum Operator {
        EXISTS,
        NOT_EXISTS,
        EQUALS,
        NOT_EQUALS,
        IN,
        NOT_IN,
        GREATER_THAN,
        LESS_THAN
    }

    record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            return switch (operator) {
                case EXISTS -> actual != null;
                case NOT_EXISTS -> actual == null;
                case EQUALS, IN -> actual != null && values.contains(actual);
                case NOT_EQUALS, NOT_IN -> actual == null || !values.contains(actual);
                case GREATER_THAN, LESS_THAN -> actual != null && compares(actual);
            };
        }

        /** {@code gt}/{@code lt}: both sides integers, as Kubernetes requires; anything else does not match. */
        private boolean compares(String actual) {
            try {
                long have = Long.parseLong(actual);
                long bound = Long.parseLong(values.iterator().next());
                return operator == Operator.GREATER_THAN ? have > bound : have < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    static final LabelSelector EVERYTHING = new LabelSelector("", List.of());

    private final String text;
    private final List<Requirement> requirements;

    private LabelSelector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = List.copyOf(requirements);
    }

    /** Parses a selector; {@code null} or blank selects everything. */
    static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<String> tokens = tokenize(selector);
        List<Requirement> requirements = new ArrayList<>();
        int[] pos = {0};
        while (true) {
            requirements.add(requirement(selector, tokens, pos));
            if (pos[0] == tokens.size()) {
                break;
            }
            expect(selector, tokens, pos, ",");
            if (pos[0] == tokens.size()) {
                throw invalid(selector, "ends with ','");
            }
        }
        return new LabelSelector(selector.trim(), requirements);
    }

    boolean matches(Map<String, String> labels) {
        Map<String, String> actual = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(actual));
    }

    /** Both selectors at once: what a narrowing (a sweep's run label) adds to the user's scope. */
    LabelSelector and(LabelSelector other) {
        if (isEverything()) {
            return other;
        }
        if (other.isEverything()) {
            return this;
        }
        List<Requirement> both = new ArrayList<>(requirements);
        both.addAll(other.requirements);
        return new LabelSelector(text + "," + other.text, both);
    }

    boolean isEverything() {
        return requirements.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }

    private static Requirement requirement(String selector, List<String> tokens, int[] pos) {
        if (peek(tokens, pos).equals("!")) {
            pos[0]++;
            return new Requirement(key(selector, next(selector, tokens, pos)), Operator.NOT_EXISTS, Set.of());
        }
        String key = key(selector, next(selector, tokens, pos));
        String op = peek(tokens, pos);
        switch (op) {
            case "", "," -> {
                return new Requirement(key, Operator.EXISTS, Set.of());
            }
            case "=", "==", "!=" -> {
                pos[0]++;
                String value = peek(tokens, pos);
                if (value.isEmpty() || (value.length() == 1 && SPECIAL.contains(value))) {
                    value = ""; // "key=" selects the empty value
                } else {
                    pos[0]++;
                }
                Operator operator = op.equals("!=") ? Operator.NOT_EQUALS : Operator.EQUALS;
                return new Requirement(key, operator, Set.of(value(selector, key, value)));
            }
            case ">", "<" -> {
                pos[0]++;
                String value = next(selector, tokens, pos);
                try {
                    Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw invalid(
                            selector,
                            "'" + op + "' needs an integer value for key \"" + key + "\", got \"" + value + "\"");
                }
                return new Requirement(key, op.equals(">") ? Operator.GREATER_THAN : Operator.LESS_THAN, Set.of(value));
            }
            case "in", "notin" -> {
                pos[0]++;
                expect(selector, tokens, pos, "(");
                Set<String> values = new LinkedHashSet<>();
                while (true) {
                    String v = peek(tokens, pos);
                    if (v.equals(",") || v.equals(")")) {
                        values.add(value(selector, key, ""));
                    } else {
                        values.add(value(selector, key, next(selector, tokens, pos)));
                    }
                    String sep = next(selector, tokens, pos);
                    if (sep.equals(")")) {
                        break;
                    }
                    if (!sep.equals(",")) {
                        throw invalid(
                                selector, "expected ',' or ')' in the values of \"" + key + "\", got \"" + sep + "\"");
                    }
                }
                return new Requirement(key, op.equals("in") ? Operator.IN : Operator.NOT_IN, Set.copyOf(values));
            }
            default ->
                throw invalid(
                        selector,
                        "unexpected \"" + op + "\" after key \"" + key
                                + "\" (expected =, ==, !=, in, notin, >, < or ',')");
        }
    }

    private static String key(String selector, String key) {
        if (key.length() == 1 && SPECIAL.contains(key)) {
            throw invalid(selector, "expected a label key, got \"" + key + "\"");
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (!KubernetesNames.isDnsSubdomain(prefix)) {
                throw invalid(selector, "label key \"" + key + "\" has an invalid prefix (a lower-case DNS subdomain)");
            }
        }
        if (!KubernetesNames.isLabelValue(name)) {
            throw invalid(
                    selector,
                    "invalid label key \"" + key
                            + "\" (at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)");
        }
        return key;
    }

    private static String value(String selector, String key, String value) {
        if (!value.isEmpty() && !KubernetesNames.isLabelValue(value)) {
            throw invalid(
                    selector,
                    "invalid value \"" + value + "\" for label \"" + key
                            + "\" (at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)");
        }
        return value;
    }

    private static List<String> tokenize(String selector) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < selector.length()) {
            char c = selector.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ((c == '=' || c == '!') && i + 1 < selector.length() && selector.charAt(i + 1) == '=') {
                tokens.add(c + "=");
                i += 2;
            } else if (SPECIAL.indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                int start = i;
                while (i < selector.length()
                        && !Character.isWhitespace(selector.charAt(i))
                        && SPECIAL.indexOf(selector.charAt(i)) < 0) {
                    i++;
                }
                tokens.add(selector.substring(start, i));
            }
        }
        return tokens;
    }

    private static String peek(List<String> tokens, int[] pos) {
        return pos[0] < tokens.size() ? tokens.get(pos[0]) : "";
    }

    private static String next(String selector, List<String> tokens, int[] pos) {
        if (pos[0] >= tokens.size()) {
            throw invalid(selector, "ends unexpectedly");
        }
        return tokens.get(pos[0]++);
    }

    private static void expect(String selector, List<String> tokens, int[] pos, String expected) {
        String got = pos[0] < tokens.size() ? tokens.get(pos[0]) : "end of selector";
        if (!got.equals(expected)) {
            throw invalid(selector, "expected '" + expected + "', got \"" + got + "\"");
        }
        pos[0]++;
    }

    private static IllegalArgumentException invalid(String selector, String problem) {
        return new IllegalArgumentException("invalid label selector \"" + selector + "\": " + problem);
    }
}
