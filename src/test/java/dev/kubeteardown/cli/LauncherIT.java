package dev.kubeteardown.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code target/kube-teardown} that {@code mvn package} writes beside the CLI jar, with the class-data
 * sharing archive it trains: used when it fits, refused without a word when it does not, and trained again when it
 * is missing, older than the jar or moved. Changes only copies of the files (times kept), never {@code target/}.
 */
class LauncherIT {

    private static final Path TARGET = Paths.get("target");
    private static final String LAUNCHER = "kube-teardown";
    private static final String JAR = "kube-teardown-cli.jar";
    private static final String ARCHIVE = "kube-teardown-cli.jsa";
    private static final String MAIN_FROM_ARCHIVE = "dev.kubeteardown.cli.Main source: shared objects file";

    @TempDir
    Path dir;

    record Run(int code, String stdout, String stderr) {}

    @BeforeAll
    static void requirePackage() {
        for (String file : List.of(LAUNCHER, JAR, ARCHIVE, ARCHIVE + ".java")) {
            assumeTrue(Files.isRegularFile(TARGET.resolve(file)), "no target/" + file + ": run mvn package first");
        }
    }

    @BeforeEach
    void copyPackage() throws IOException {
        for (String file : List.of(LAUNCHER, JAR, ARCHIVE, ARCHIVE + ".java")) {
            Files.copy(TARGET.resolve(file), dir.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    @Test
    void runsTheJarWithTheArchiveTrainedByThePackage() throws Exception {
        Run run = run(TARGET, "-Xlog:class+load", "--version");
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.stdout().contains(MAIN_FROM_ARCHIVE), "the CLI's classes come from the archive");
        assertTrue(run.stdout().lines().anyMatch(version()::equals), run.stdout());
    }

    @Test
    void anArchiveThatDoesNotFitTheJarIsRefusedSilently() throws Exception {
        // trained for another jar (here: the one in target/), but the launcher cannot tell: only the JVM can
        String java = Paths.get(System.getProperty("java.home"), "bin", "java")
                .toRealPath()
                .toString();
        Files.writeString(
                dir.resolve(ARCHIVE + ".java"),
                java + " " + dir.toAbsolutePath().resolve(JAR) + "\n");
        FileTime trained = Files.getLastModifiedTime(dir.resolve(ARCHIVE));
        Files.setLastModifiedTime(dir.resolve(JAR), FileTime.fromMillis(trained.toMillis() - 60_000));
        Run run = run(dir, "-Xlog:class+load", "--version");
        assertEquals(0, run.code(), run.stderr());
        assertFalse(run.stdout().contains(MAIN_FROM_ARCHIVE), "the JVM did not use the archive");
        assertTrue(run.stdout().lines().anyMatch(version()::equals), run.stdout());
        assertEquals("", run.stderr(), "no warning about the archive");
    }

    @Test
    void anArchiveOlderThanTheJarIsTrainedAgain() throws Exception {
        Path archive = dir.resolve(ARCHIVE);
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(3600)));
        assertTrainedAgain();
    }

    @Test
    void aMovedArchiveIsTrainedAgain() throws Exception {
        assertTrainedAgain(); // the copy in dir was trained for target/kube-teardown-cli.jar
    }

    private void assertTrainedAgain() throws Exception {
        Path archive = dir.resolve(ARCHIVE);
        FileTime before = Files.getLastModifiedTime(archive);
        Run training = run(dir, "", "--version");
        assertEquals(0, training.code(), training.stderr());
        assertEquals(version() + "\n", training.stdout());
        assertEquals("", training.stderr());
        assertTrue(Files.getLastModifiedTime(archive).compareTo(before) > 0, "a new archive");

        Run next = run(dir, "-Xlog:class+load", "--version");
        assertTrue(next.stdout().contains(MAIN_FROM_ARCHIVE), "the next run uses the new archive");
    }

    private String version() throws Exception {
        Process p = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-jar",
                        dir.resolve(JAR).toString(),
                        "--version")
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return out;
    }

    private Run run(Path home, String javaOptions, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("bash", home.resolve(LAUNCHER).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("KUBE_TEARDOWN_JAVA_OPTS", javaOptions);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
