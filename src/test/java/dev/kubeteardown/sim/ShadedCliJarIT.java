package dev.kubeteardown.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command run from the executable jar ({@code target/kube-teardown-cli.jar}) as a process, so that a
 * class the shade configuration leaves out but a command needs fails a test (CliTest runs the commands in
 * process, on the full class path). Skipped when the jar has not been built ({@code mvn package}); it lives
 * here because the demo is the simulator's main user in the jar.
 */
class ShadedCliJarIT {

    private static final Path JAR = Paths.get("target", "kube-teardown-cli.jar");
    private static final long COMMAND_SECONDS = 120;

    @TempDir
    Path dir;

    record Run(int code, String output) {}

    @BeforeAll
    static void requireJar() {
        assumeTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn package first");
    }

    @Test
    void helpAndVersionOfEveryCommand() throws Exception {
        for (List<String> args : List.of(
                List.of("--help"),
                List.of("--version"),
                List.of("longhorn", "--help"),
                List.of("sweep", "--help"),
                List.of("plan", "--help"),
                List.of("demo", "--help"))) {
            Run run = run(args);
            assertEquals(0, run.code(), args + ":\n" + run.output());
            assertTrue(!run.output().isBlank(), args + " printed something");
        }
    }

    @Test
    void demoRunsTheSimulatorAndEndsClean() throws Exception {
        Run text = run(List.of("demo"));
        assertEquals(0, text.code(), text.output());
        assertTrue(text.output().contains("kube-teardown: clean"), text.output());

        Run json = run(List.of("demo", "-o", "json"));
        assertEquals(0, json.code(), json.output());
        JsonObject report = JsonParser.parseString(
                        json.output().substring(json.output().indexOf('{')))
                .getAsJsonObject();
        assertTrue(report.get("clean").getAsBoolean(), json.output());
    }

    @Test
    void longhornAndSweepAgainstASimulatorThroughAKubeconfig() throws Exception {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .seed(BackupstoreSpec.of(2, 3).failedBackups(1))
                .start()) {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, ReadmeExampleTest.kubeconfig(sim.url()));

            Run dryRun = run(List.of("longhorn", "--kubeconfig", kubeconfig.toString()));
            assertEquals(0, dryRun.code(), dryRun.output());
            assertEquals(0, sim.requests().count(Verb.DELETE), "a dry run deletes nothing");

            Run longhorn = run(List.of("longhorn", "--kubeconfig", kubeconfig.toString(), "--yes", "-o", "json"));
            assertEquals(0, longhorn.code(), longhorn.output());
            assertTrue(sim.requests().count(Verb.DELETE) > 0, "the jar's longhorn deleted: " + longhorn.output());
            assertTrue(sim.remoteBackups().isEmpty(), "no backup data is left");

            Run sweep = run(List.of(
                    "sweep",
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "--resource",
                    "backups.longhorn.io/v1beta2",
                    "--older-than",
                    "1h"));
            assertEquals(0, sweep.code(), sweep.output());
        }
    }

    @Test
    void planFileAndLonghornPlanAgainstASimulator() throws Exception {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                        .seed(BackupstoreSpec.of(2, 3).failedBackups(1))
                        .start();
                InputStream shipped = getClass().getResourceAsStream("/dev/kubeteardown/longhorn/full-plan.yaml")) {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, ReadmeExampleTest.kubeconfig(sim.url()));
            Path planFile = dir.resolve("full-plan.yaml");
            Files.copy(shipped, planFile);

            Run dryRun = run(List.of("longhorn", "--plan", "full", "--kubeconfig", kubeconfig.toString()));
            assertEquals(0, dryRun.code(), dryRun.output());
            assertEquals(0, sim.requests().count(Verb.DELETE), "a dry run deletes nothing");

            Run plan = run(List.of(
                    "plan",
                    "--file",
                    planFile.toString(),
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "--yes",
                    "-o",
                    "json"));
            assertEquals(0, plan.code(), plan.output());
            assertTrue(sim.remoteBackups().isEmpty(), "the jar's plan deleted every backup: " + plan.output());
        }
    }

    private Run run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(args);
        Path output = Files.createTempFile(dir, "cli", ".txt");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String printed = Files.readString(output);
        assertTrue(exited, args + " finished within " + COMMAND_SECONDS + " s:\n" + printed);
        return new Run(process.exitValue(), printed);
    }
}
