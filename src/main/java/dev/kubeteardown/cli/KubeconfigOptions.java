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
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The {@code --kubeconfig} and {@code --context} options of every command that talks to a cluster, and the client
 * they lead to, found as kubectl finds it: {@code --kubeconfig}, then {@code KUBECONFIG} (several files separated by
 * the path separator are merged, missing ones skipped), then {@code ~/.kube/config}.
 */
final class KubeconfigOptions {

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
            return ClientBuilder.kubeconfig(config).build();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot use kubeconfig " + describe(readable) + ": " + e.getMessage(), e);
        }
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
