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
import picocli.CommandLine.Option;

/** Which cluster to talk to, found as kubectl finds it: {@code --kubeconfig}, then {@code KUBECONFIG}, then {@code ~/.kube/config}. */
final class Clusters {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: its current-context).")
    String context;

    /** A client for the chosen cluster; a missing or unreadable kubeconfig is a usage error naming the file. */
    ApiClient client() {
        Path file = resolve();
        if (file == null || !Files.isReadable(file)) {
            throw new IllegalArgumentException("no kubeconfig found" + (file == null ? "" : " at " + file)
                    + ": pass --kubeconfig FILE or set KUBECONFIG");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            KubeConfig config = KubeConfig.loadKubeConfig(reader);
            config.setFile(file.toFile());
            if (context != null && !config.setContext(context)) {
                throw new IllegalArgumentException("context \"" + context + "\" not found in " + file);
            }
            return ClientBuilder.kubeconfig(config).build();
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException("cannot use kubeconfig " + file + ": " + e.getMessage(), e);
        }
    }

    private Path resolve() {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            for (String part : env.split(File.pathSeparator)) {
                if (!part.isBlank() && Files.isReadable(Paths.get(part))) {
                    return Paths.get(part);
                }
            }
            return Paths.get(env.split(File.pathSeparator)[0]);
        }
        return Paths.get(System.getProperty("user.home"), ".kube", "config");
    }
}
