package dev.kubeteardown.cli;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Option;

/**
 * Which cluster to talk to, found as kubectl finds it: {@code --kubeconfig}, then {@code KUBECONFIG} (several files
 * separated by the path separator are merged, missing ones skipped), then {@code ~/.kube/config}.
 */
final class Clusters {

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(
            names = "--context",
            paramLabel = "NAME",
            description = "Kubeconfig context (default: its current-context).")
    String context;

    /** A client for the chosen cluster; a missing or unreadable kubeconfig is a usage error naming the file. */
    ApiClient client() {
        List<Path> files = resolve();
        List<Path> readable = files.stream().filter(Files::isReadable).toList();
        if (readable.isEmpty()) {
            throw new IllegalArgumentException("no kubeconfig found" + (files.isEmpty() ? "" : " at " + files.get(0))
                    + ": pass --kubeconfig FILE or set KUBECONFIG");
        }
        try {
            KubeConfig config = merge(readable);
            if (context != null && !config.setContext(context)) {
                throw new IllegalArgumentException("context \"" + context + "\" not found in " + describe(readable));
            }
            return ClientBuilder.kubeconfig(config).build();
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException(
                    "cannot use kubeconfig " + describe(readable) + ": " + e.getMessage(), e);
        }
    }

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
                yaml = loaded instanceof Map<?, ?> map ? cast(map) : Map.of();
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

    private static String describe(List<Path> files) {
        return files.size() == 1 ? files.get(0).toString() : files.toString();
    }

    /** --kubeconfig, else every file in $KUBECONFIG (in order), else ~/.kube/config. */
    private List<Path> resolve() {
        if (kubeconfig != null) {
            return List.of(kubeconfig);
        }
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Arrays.stream(env.split(File.pathSeparator))
                    .filter(p -> !p.isBlank())
                    .map(Paths::get)
                    .toList();
        }
        return List.of(Paths.get(System.getProperty("user.home"), ".kube", "config"));
    }
}
