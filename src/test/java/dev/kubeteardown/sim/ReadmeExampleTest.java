package dev.kubeteardown.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's complete test class, extracted from README.md at test time, compiled as written and run
 * through the JUnit Platform against a simulator. Its {@code Config.defaultClient()} reads {@code KUBECONFIG},
 * so it runs in a child JVM whose {@code KUBECONFIG} points at the simulator. The test fails when the README
 * example no longer compiles, no longer passes, or no longer talks to the cluster.
 */
class ReadmeExampleTest {

    private static final Path README = Paths.get("README.md");
    private static final Pattern COMPLETE_CLASS =
            Pattern.compile("A complete test class[^\\n]*:\\s*\\n```java\\n(.*?)\\n```", Pattern.DOTALL);
    private static final String TEST_NAMESPACE = "it";
    private static final long CHILD_SECONDS = 120;

    @Test
    void theReadmesCompleteTestClassPassesAgainstTheSimulator(@TempDir Path dir) throws Exception {
        String source = completeTestClass();
        String className = qualifiedClassName(source);
        Path classes = compile(source, className, dir);

        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimHttp http = new SimHttp(sim);
            // a real cluster would need the namespace too
            assertEquals(
                    201,
                    http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + TEST_NAMESPACE + "\"}}")
                            .code());
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, kubeconfig(sim.url()));
            sim.resetCounters();

            Path output = dir.resolve("child-output.txt");
            ProcessBuilder builder = new ProcessBuilder(
                            Paths.get(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path") + File.pathSeparator + classes,
                            ReadmeExampleLauncher.class.getName(),
                            className)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("KUBECONFIG", kubeconfig.toString());
            Process child = builder.start();
            boolean exited = child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly();
            }
            String printed = Files.readString(output);
            assertTrue(exited, "the README class finished within " + CHILD_SECONDS + " s:\n" + printed);
            assertEquals(0, child.exitValue(), "the README class passed:\n" + printed);

            String configMaps = "/api/v1/namespaces/" + TEST_NAMESPACE + "/configmaps";
            assertEquals(1, sim.requests().count(Verb.CREATE, "configmaps"), "the test created its ConfigMap");
            assertEquals(1, sim.requests().count(Verb.DELETE, "configmaps"), "the extension deleted it");
            JsonObject left = http.get(configMaps).json();
            assertEquals(0, left.getAsJsonArray("items").size(), "nothing is left in namespace it: " + left);
        }
    }

    private static String completeTestClass() throws IOException {
        Matcher matcher = COMPLETE_CLASS.matcher(Files.readString(README));
        assertTrue(matcher.find(), "README.md has a ```java block after \"A complete test class ...:\"");
        String source = matcher.group(1) + "\n";
        assertTrue(!matcher.find(), "README.md has exactly one complete test class");
        return source;
    }

    private static String qualifiedClassName(String source) {
        Matcher pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(source);
        Matcher cls =
                Pattern.compile("^(?:public )?class (\\w+)", Pattern.MULTILINE).matcher(source);
        assertTrue(pkg.find() && cls.find(), "the README class declares a package and a class:\n" + source);
        return pkg.group(1) + "." + cls.group(1);
    }

    private static Path compile(String source, String className, Path dir) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path file = sources.resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
        Files.writeString(file, source);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "a JDK (with javac) runs the tests");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager files =
                compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean compiled = compiler.getTask(
                            log,
                            files,
                            diagnostics,
                            List.of(
                                    "-proc:none",
                                    "-classpath",
                                    System.getProperty("java.class.path"),
                                    "-d",
                                    classes.toString()),
                            null,
                            files.getJavaFileObjects(file))
                    .call();
            assertTrue(compiled, "the README class compiles as written:\n" + diagnostics.getDiagnostics() + log);
        }
        return classes;
    }

    /** A kubeconfig whose current context is the simulator at {@code url} (token auth, no TLS). */
    static String kubeconfig(String url) {
        return String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: simulator",
                "  cluster:",
                "    server: " + url,
                "users:",
                "- name: simulator",
                "  user:",
                "    token: simulator",
                "contexts:",
                "- name: simulator",
                "  context:",
                "    cluster: simulator",
                "    user: simulator",
                "current-context: simulator",
                "");
    }
}
