package dev.kubeteardown.cli;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The {@code --kubeconfig} and {@code --context} options of every command that talks to a cluster, and the client
 * they lead to, found as kubectl finds it: {@code --kubeconfig}, then {@code KUBECONFIG} (several files separated by
 * the path separator are merged, missing ones skipped), then {@code ~/.kube/config}.
 */
final class KubeconfigOptions {

    private static final Logger LOG = LoggerFactory.getLogger(KubeconfigOptions.class);

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, else $HOME/.kube/config).")
    Path kubeconfig;

    @Option(
            names = "--context",
            paramLabel = "NAME",
            description = "Kubeconfig context (default: its current-context).")
    String context;

    /** A client for the chosen cluster; a missing or unreadable kubeconfig is a usage error naming the file. */
    ApiClient client() {
        List<Path> files = files();
        List<Path> readable = files.stream().filter(Files::isReadable).toList();
        if (readable.isEmpty()) {
            throw new IllegalArgumentException("no kubeconfig found" + (files.isEmpty() ? "" : " at " + files.get(0))
                    + ": pass --kubeconfig FILE or set KUBECONFIG");
        }
        try {
            KubeConfig config = KubeconfigFiles.merge(readable);
            if (context != null && !config.setContext(context)) {
                throw new IllegalArgumentException("context \"" + context + "\" not found in " + describe(readable));
            }
            ApiClient client = ClientBuilder.kubeconfig(config).build();
            insecureWarning(config).ifPresent(LOG::warn);
            return client;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot use kubeconfig " + describe(readable) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one warning for a cluster whose kubeconfig switches certificate verification off; empty when it verifies
     * (the default: client-java verifies unless the cluster sets {@code insecure-skip-tls-verify: true}).
     */
    static Optional<String> insecureWarning(KubeConfig config) {
        if (config.verifySSL() || config.getServer() == null) {
            return Optional.empty(); // no server: the client cannot be built, and that error says why
        }
        return Optional.of("TLS certificate verification is OFF for cluster \"" + clusterName(config) + "\" ("
                + config.getServer() + "): its kubeconfig sets insecure-skip-tls-verify: true, so anyone between"
                + " here and the server can pose as it; give the cluster's CA as certificate-authority-data instead");
    }

    private static String clusterName(KubeConfig config) {
        for (Object context : config.getContexts()) {
            if (context instanceof Map<?, ?> named
                    && Objects.equals(named.get("name"), config.getCurrentContext())
                    && named.get("context") instanceof Map<?, ?> body) {
                return String.valueOf(body.get("cluster"));
            }
        }
        return String.valueOf(config.getCurrentContext());
    }

    private static String describe(List<Path> files) {
        return files.size() == 1 ? files.get(0).toString() : files.toString();
    }

    /** --kubeconfig, else every file in $KUBECONFIG (in order), else $HOME/.kube/config. */
    private List<Path> files() {
        return kubeconfig != null ? List.of(kubeconfig) : defaultFiles(System::getenv, System.getProperty("user.home"));
    }

    /** Where kubectl looks without --kubeconfig, given the environment ({@code env}) and Java's user.home. */
    static List<Path> defaultFiles(Function<String, String> env, String userHome) {
        String kubeconfigs = env.apply("KUBECONFIG");
        if (kubeconfigs != null && !kubeconfigs.isBlank()) {
            return Arrays.stream(kubeconfigs.split(File.pathSeparator))
                    .filter(p -> !p.isBlank())
                    .map(Paths::get)
                    .toList();
        }
        // $HOME as kubectl reads it; Java's user.home (from the password database) can differ, e.g. under sudo
        String home = env.apply("HOME");
        return List.of(Paths.get(home == null || home.isBlank() ? userHome : home, ".kube", "config"));
    }
}
