package dev.kubeteardown.cli;

import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/** Several kubeconfig files read as one, the way kubectl reads the files listed in {@code KUBECONFIG}. */
final class KubeconfigFiles {

    private KubeconfigFiles() {}

    /**
     * The kubeconfig files merged as kubectl merges $KUBECONFIG: for each named cluster, user and context the first
     * file that defines it wins, and so does the first current-context. Relative paths in the result resolve
     * against the first file (kubectl resolves them per file; good enough for the certificates tests use).
     */
    static KubeConfig merge(List<Path> files) throws IOException {
        Map<String, Map<String, Object>> clusters = new LinkedHashMap<>();
        Map<String, Map<String, Object>> users = new LinkedHashMap<>();
        Map<String, Map<String, Object>> contexts = new LinkedHashMap<>();
        String current = null;
        for (Path file : files) {
            Map<String, Object> yaml;
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
                if (!(loaded instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException("kubeconfig " + file + " is not a kubeconfig: expected a YAML"
                            + " mapping with clusters, users and contexts");
                }
                yaml = cast(map);
            } catch (YAMLException e) {
                // SnakeYAML's own message quotes the offending line, which may hold a token or key: position only,
                // and no cause whose message would quote it in a stack trace
                throw new IllegalArgumentException("kubeconfig " + file + " is not valid YAML: " + problem(e));
            }
            addNamed(clusters, yaml.get("clusters"));
            addNamed(users, yaml.get("users"));
            addNamed(contexts, yaml.get("contexts"));
            Object currentContext = yaml.get("current-context");
            if (current == null && currentContext instanceof String name && !name.isEmpty()) {
                current = name;
            }
        }
        KubeConfig config = new KubeConfig(
                new ArrayList<>(contexts.values()),
                new ArrayList<>(clusters.values()),
                new ArrayList<>(users.values()));
        if (current != null) {
            config.setContext(current);
        }
        config.setFile(files.get(0).toFile());
        return config;
    }

    /** The parser's problem and where, without the quoted line: {@code expected ',' or ']' at line 3, column 1}. */
    static String problem(YAMLException e) {
        if (e instanceof MarkedYAMLException marked && marked.getProblem() != null) {
            Mark mark = marked.getProblemMark();
            return marked.getProblem()
                    + (mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1));
        }
        return "the YAML parser gave up (" + e.getClass().getSimpleName() + ")";
    }

    private static void addNamed(Map<String, Map<String, Object>> into, Object entries) {
        if (entries instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof Map<?, ?> map && map.get("name") instanceof String name) {
                    into.putIfAbsent(name, cast(map));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
