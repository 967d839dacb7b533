package dev.kubeteardown;

import dev.kubeteardown.PlanFile.Scope;
import dev.kubeteardown.PlanFile.Stage;
import dev.kubeteardown.PlanFile.Step;
import dev.kubeteardown.PlanFileException.Problem;
import java.io.Reader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a plan file's YAML into a {@link PlanFile}, checking every key and value and collecting every problem with
 * its line, so that one bad file gives one complete list instead of one error per attempt. It works on SnakeYAML's
 * node tree (not on constructed maps) because only nodes know their line.
 */
final class PlanFileReader {

    private static final List<String> TOP_KEYS = List.of("name", "timeout", "verifyAfter", "defaults", "steps");
    private static final List<String> SCOPE_KEYS = List.of(
            "namespace", "allNamespaces", "labelSelector", "fieldSelector", "timeout", "parallelism", "ifMissing");
    private static final List<String> STEP_KEYS = concat(List.of("type"), SCOPE_KEYS, List.of("barrier"));
    private static final List<String> GROUP_KEYS = List.of("parallel", "barrier");
    private static final String DURATION_HINT = "use e.g. 90s, 5m, 1h30m, 1.5s";

    private final String source;
    private final List<Problem> problems = new ArrayList<>();

    private PlanFileReader(String source) {
        this.source = source;
    }

    /**
     * The plan in {@code yaml}, named {@code source} in messages.
     *
     * @throws PlanFileException listing every problem, sorted by line
     */
    static PlanFile read(String source, Reader yaml) {
        return new PlanFileReader(source).plan(yaml);
    }

    private PlanFile plan(Reader yaml) {
        Node root;
        try {
            root = new Yaml().compose(yaml);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getContext();
            problems.add(new Problem(source, mark == null ? 0 : mark.getLine() + 1, "", "not valid YAML: " + what));
            throw failure();
        } catch (YAMLException e) {
            problems.add(new Problem(source, 0, "", "not valid YAML: " + e.getMessage()));
            throw failure();
        }
        if (root == null) {
            problems.add(new Problem(source, 0, "", "the file is empty: a plan needs steps"));
            throw failure();
        }
        Map<String, NodeTuple> top = mapping(root, "", TOP_KEYS);
        if (top == null) {
            throw failure();
        }
        String name = value(top, "name", this::text);
        Duration timeout = value(top, "timeout", this::positiveDuration);
        Duration verifyAfter = value(top, "verifyAfter", this::duration);
        Scope defaults = Scope.NONE;
        if (top.containsKey("defaults")) {
            Map<String, NodeTuple> d = mapping(
                    top.get("defaults").getValueNode(),
                    "defaults",
                    SCOPE_KEYS,
                    key -> key.equals("type")
                            ? "defaults cannot give a type: every step names its own"
                            : key.equals("barrier") ? "a barrier is set on a step or a parallel group" : null);
            defaults = d == null ? Scope.NONE : scope(d, "defaults");
        }
        List<Stage> stages = new ArrayList<>();
        if (!top.containsKey("steps")) {
            problems.add(new Problem(source, line(root), "steps", "missing: a plan needs at least one step"));
        } else {
            stages = stages(top.get("steps").getValueNode(), defaults);
        }
        if (!problems.isEmpty()) {
            throw failure();
        }
        return new PlanFile(
                source,
                name,
                stages,
                timeout != null ? timeout : Duration.ofSeconds(CleanupPlan.DEFAULT_TIMEOUT_SECONDS),
                verifyAfter,
                DryRun.OFF);
    }

    private List<Stage> stages(Node node, Scope defaults) {
        List<Stage> stages = new ArrayList<>();
        List<Node> items = sequence(node, "steps");
        if (items == null) {
            return stages;
        }
        if (items.isEmpty()) {
            problems.add(new Problem(source, line(node), "steps", "empty: a plan needs at least one step"));
        }
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String field = "steps[" + i + "]";
            if (item instanceof MappingNode m && hasKey(m, "parallel")) {
                group(item, field, defaults).ifPresent(stages::add);
            } else {
                Map<String, NodeTuple> keys = mapping(item, field, STEP_KEYS);
                if (keys != null) {
                    Step step = step(item, keys, field, defaults);
                    Boolean barrier = value(keys, field + ".barrier", "barrier", this::bool);
                    if (step != null) {
                        stages.add(new Stage(List.of(step), Boolean.TRUE.equals(barrier)));
                    }
                }
            }
        }
        return stages;
    }

    private Optional<Stage> group(Node node, String field, Scope defaults) {
        Map<String, NodeTuple> keys = mapping(
                node,
                field,
                GROUP_KEYS,
                key -> STEP_KEYS.contains(key)
                        ? "a parallel group takes only parallel and barrier: put " + key + " on each of its steps"
                        : null);
        if (keys == null) {
            return Optional.empty();
        }
        Boolean barrier = value(keys, field + ".barrier", "barrier", this::bool);
        Node members = keys.get("parallel").getValueNode();
        List<Node> items = sequence(members, field + ".parallel");
        if (items == null) {
            return Optional.empty();
        }
        if (items.isEmpty()) {
            problems.add(new Problem(
                    source, line(members), field + ".parallel", "empty: a parallel group needs at least one step"));
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String at = field + ".parallel[" + i + "]";
            Map<String, NodeTuple> step = mapping(
                    item,
                    at,
                    STEP_KEYS,
                    key -> key.equals("parallel")
                            ? "parallel groups cannot be nested: list the steps in one group"
                            : null);
            if (step == null) {
                continue;
            }
            if (step.containsKey("barrier")) {
                problems.add(new Problem(
                        source,
                        line(step.get("barrier").getKeyNode()),
                        at + ".barrier",
                        "a step inside a parallel group cannot be a barrier: mark the group"
                                + " (barrier: true next to parallel)"));
            }
            Step built = step(item, step, at, defaults);
            if (built != null) {
                steps.add(built);
            }
        }
        return steps.size() == items.size() && !items.isEmpty()
                ? Optional.of(new Stage(steps, Boolean.TRUE.equals(barrier)))
                : Optional.empty();
    }

    /** One step; {@code null} when it has a problem (recorded). */
    private Step step(Node node, Map<String, NodeTuple> keys, String field, Scope defaults) {
        int before = problems.size();
        String type = value(keys, field + ".type", "type", this::text);
        if (!keys.containsKey("type")) {
            problems.add(new Problem(
                    source,
                    line(node),
                    field + ".type",
                    "missing: every step names its resource type as kubectl spells it (e.g. backups.longhorn.io)"));
        }
        Scope own = scope(keys, field);
        if (type == null || problems.size() > before) {
            return null;
        }
        return new Step(field, line(keys.get("type").getValueNode()), type, own.over(defaults));
    }

    private Scope scope(Map<String, NodeTuple> keys, String field) {
        String namespace = value(keys, field + ".namespace", "namespace", this::namespace);
        Boolean all = value(keys, field + ".allNamespaces", "allNamespaces", this::bool);
        if (keys.containsKey("namespace") && Boolean.TRUE.equals(all)) {
            problems.add(new Problem(
                    source,
                    line(keys.get("allNamespaces").getKeyNode()),
                    field + ".allNamespaces",
                    "give either namespace or allNamespaces: true, not both"));
        }
        return new Scope(
                namespace,
                Boolean.TRUE.equals(all),
                value(keys, field + ".labelSelector", "labelSelector", this::labelSelector),
                value(keys, field + ".fieldSelector", "fieldSelector", this::fieldSelector),
                value(keys, field + ".timeout", "timeout", this::positiveDuration),
                value(keys, field + ".parallelism", "parallelism", this::parallelism),
                value(keys, field + ".ifMissing", "ifMissing", this::missingPolicy));
    }

    // ---- values: each returns the parsed value, or throws Invalid with what is wrong

    /** What is wrong with one value; caught by {@link #value}, which records it with the value's line. */
    private static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private String text(Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            throw new Invalid("expected a text value, got " + kind(node));
        }
        if (scalar.getTag().equals(Tag.NULL) || scalar.getValue().isBlank()) {
            throw new Invalid("needs a value");
        }
        return scalar.getValue().strip();
    }

    private Boolean bool(Node node) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            String v = scalar.getValue().toLowerCase(Locale.ROOT);
            return v.equals("true") || v.equals("yes") || v.equals("on");
        }
        throw new Invalid("expected true or false, got " + kind(node));
    }

    private Duration duration(Node node) {
        String text = text(node);
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid("invalid duration \"" + text + "\" ("
                    + (text.matches("\\d+(\\.\\d+)?") ? "give a unit, e.g. " + text + "s" : DURATION_HINT) + ")");
        }
    }

    private Duration positiveDuration(Node node) {
        Duration d = duration(node);
        if (d.isZero()) {
            throw new Invalid("must be more than 0, was " + text(node));
        }
        return d;
    }

    private String namespace(Node node) {
        String ns = text(node);
        if (!KubernetesNames.isDnsLabel(ns)) {
            throw new Invalid("must be a lower-case DNS label (a namespace name), was \"" + ns + "\"");
        }
        return ns;
    }

    private String labelSelector(Node node) {
        String selector = text(node);
        try {
            LabelSelector.parse(selector);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
        return selector;
    }

    private String fieldSelector(Node node) {
        String selector = text(node);
        try {
            FieldSelector.parse(selector);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
        return selector;
    }

    private Integer parallelism(Node node) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
            try {
                int n = Integer.parseInt(scalar.getValue().replace("_", ""));
                if (n >= 1 && n <= CleanupBuilder.MAX_PARALLELISM) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // out of range: reported below
            }
        }
        throw new Invalid(
                "expected a whole number from 1 to " + CleanupBuilder.MAX_PARALLELISM + ", got " + kind(node));
    }

    private MissingPolicy missingPolicy(Node node) {
        String v = text(node);
        return switch (v) {
            case "skip" -> MissingPolicy.SKIP;
            case "fail" -> MissingPolicy.FAIL;
            default -> throw new Invalid("expected skip or fail, got \"" + v + "\"");
        };
    }

    // ---- structure

    /** The value of {@code key} parsed by {@code parse}; {@code null} when absent or invalid (recorded). */
    private <T> T value(Map<String, NodeTuple> keys, String key, Function<Node, T> parse) {
        return value(keys, key, key, parse);
    }

    private <T> T value(Map<String, NodeTuple> keys, String field, String key, Function<Node, T> parse) {
        NodeTuple tuple = keys.get(key);
        if (tuple == null) {
            return null;
        }
        try {
            return parse.apply(tuple.getValueNode());
        } catch (Invalid e) {
            problems.add(new Problem(source, line(tuple.getValueNode()), field, e.getMessage()));
            return null;
        }
    }

    private Map<String, NodeTuple> mapping(Node node, String field, List<String> allowed) {
        return mapping(node, field, allowed, key -> null);
    }

    /**
     * The keys of a mapping, each checked against {@code allowed}; {@code misplaced} may explain a key that is not
     * allowed here. {@code null} when the node is not a mapping (recorded).
     */
    private Map<String, NodeTuple> mapping(
            Node node, String field, List<String> allowed, Function<String, String> misplaced) {
        if (!(node instanceof MappingNode m)) {
            problems.add(new Problem(
                    source,
                    line(node),
                    field,
                    "expected a mapping of " + String.join(", ", allowed) + "; got " + kind(node)));
            return null;
        }
        Map<String, NodeTuple> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : m.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String key = keyNode instanceof ScalarNode s ? s.getValue() : null;
            String at = field.isEmpty() ? String.valueOf(key) : field + "." + key;
            if (key == null) {
                problems.add(
                        new Problem(source, line(keyNode), field, "a key must be a plain name, got " + kind(keyNode)));
            } else if (!allowed.contains(key)) {
                String why = misplaced.apply(key);
                problems.add(new Problem(source, line(keyNode), at, why != null ? why : unknownKey(key, allowed)));
            } else if (keys.containsKey(key)) {
                problems.add(new Problem(
                        source,
                        line(keyNode),
                        at,
                        "given twice (first on line " + line(keys.get(key).getKeyNode()) + ")"));
            } else {
                keys.put(key, tuple);
            }
        }
        return keys;
    }

    private List<Node> sequence(Node node, String field) {
        if (node instanceof SequenceNode s) {
            return s.getValue();
        }
        problems.add(
                new Problem(source, line(node), field, "expected a list (lines starting with -), got " + kind(node)));
        return null;
    }

    private static boolean hasKey(MappingNode node, String key) {
        return node.getValue().stream()
                .anyMatch(t ->
                        t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key));
    }

    private static String unknownKey(String key, List<String> allowed) {
        String lower = key.toLowerCase(Locale.ROOT);
        return allowed.stream()
                .min(Comparator.comparingInt(k -> ApiDiscovery.distance(lower, k.toLowerCase(Locale.ROOT))))
                .filter(k -> ApiDiscovery.distance(lower, k.toLowerCase(Locale.ROOT)) <= Math.max(2, key.length() / 4))
                .map(k -> "unknown key; did you mean " + k + "?")
                .orElse("unknown key (expected " + String.join(", ", allowed) + ")");
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL) ? "nothing" : "\"" + text0(node) + "\"";
    }

    private static String text0(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : "";
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private PlanFileException failure() {
        return new PlanFileException(source, problems);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return List.copyOf(all);
    }
}
