package dev.kubeteardown.cli;

import static dev.kubeteardown.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kubeteardown.cli.CliTest.Run;
import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.SeededBackupstore;
import dev.kubeteardown.sim.Verb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kube-teardown plan --file} and {@code kube-teardown longhorn --plan}, in-process against the simulator. */
class PlanCommandTest {

    static final String PLAN = """
            name: backupstore teardown
            timeout: 1m
            defaults:
              namespace: longhorn-system
            steps:
              - type: backupvolumes.longhorn.io
                barrier: true
              - parallel:
                  - type: lhb
                  - type: systembackups.longhorn.io
            """;

    @TempDir
    Path dir;

    Path kubeconfig(String server) throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: sim
                  cluster:
                    server: %s
                users:
                - name: tester
                  user:
                    token: not-checked-by-the-simulator
                contexts:
                - name: sim
                  context:
                    cluster: sim
                    user: tester
                current-context: sim
                """.formatted(server));
    }

    Path planFile(String yaml) throws IOException {
        return Files.writeString(dir.resolve("teardown.yaml"), yaml);
    }

    static int count(LonghornSimulator sim, String kind) {
        return sim.fabricClient()
                .genericKubernetesResources("longhorn.io/v1beta2", kind)
                .inNamespace("longhorn-system")
                .list()
                .getItems()
                .size();
    }

    static int sum(JsonArray steps, String status) {
        int n = 0;
        for (var step : steps) {
            n += step.getAsJsonObject().getAsJsonObject("counts").get(status).getAsInt();
        }
        return n;
    }

    @Test
    @DisplayName("plan without --yes is a dry run: WOULD_DELETE for every object in the plan, no DELETE sent")
    void planDryRunByDefault() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 3).failedBackups(1));
            Run run = cli(
                    "plan",
                    "--file",
                    planFile(PLAN).toString(),
                    "--kubeconfig",
                    kubeconfig(sim.url()).toString(),
                    "-o",
                    "json");
            assertEquals(Main.CLEAN, run.code(), run.err());
            JsonObject json = run.json();
            assertEquals("backupstore teardown", json.get("plan").getAsString());
            JsonArray steps = json.getAsJsonArray("steps");
            assertEquals(3, steps.size(), run.out());
            assertEquals(seeded.backupVolumes().size() + seeded.backupCount(), sum(steps, "WOULD_DELETE"), run.out());
            assertEquals(0, sim.requests().count(Verb.DELETE));
            assertEquals(0, sim.requests().count(Verb.PATCH));
        }
    }

    @Test
    @DisplayName("plan's dry run lists the objects by type; -o name prints kind.group/name lines as kubectl")
    void planDryRunByTypeAndNames() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 1));
            String file = planFile(PLAN).toString();
            String config = kubeconfig(sim.url()).toString();
            Run text = cli("plan", "--file", file, "--kubeconfig", config);
            assertEquals(Main.CLEAN, text.code(), text.err());
            assertTrue(text.out().contains("Would delete, by type:"), text.out());
            assertTrue(
                    text.out()
                            .lines()
                            .anyMatch(l -> l.startsWith("  backups.longhorn.io: ")
                                    && l.contains(seeded.backups().get(0))),
                    text.out());
            Run names = cli("plan", "--file", file, "--kubeconfig", config, "-o", "name");
            assertEquals(Main.CLEAN, names.code(), names.err());
            assertTrue(
                    names.out()
                            .lines()
                            .toList()
                            .contains("backupvolume.longhorn.io/"
                                    + seeded.backupVolumes().get(0)),
                    names.out());
            assertEquals(
                    seeded.backupVolumes().size() + seeded.backupCount(),
                    names.out().lines().count());
        }
    }

    @Test
    @DisplayName("plan --yes deletes in the plan's order and prints the table and the plan's summary")
    void planYesDeletes() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.seed(BackupstoreSpec.of(2, 3).failedBackups(2));
            Run run = cli(
                    "plan",
                    "-f",
                    planFile(PLAN).toString(),
                    "--kubeconfig",
                    kubeconfig(sim.url()).toString(),
                    "--yes");
            assertEquals(Main.CLEAN, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("backupvolumes.longhorn.io/v1beta2"), run.out());
            assertTrue(run.out().contains("backupstore teardown in 3 steps: "), run.out());
            assertTrue(run.out().strip().endsWith("clean"), run.out());
            assertEquals(0, count(sim, "BackupVolume"));
            assertEquals(0, count(sim, "Backup"));
        }
    }

    @Test
    @DisplayName("a bad plan file is exit 2 with every problem as file:line on stderr, and nothing reaches the cluster")
    void badPlanFileSendsNothing() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.seed(BackupstoreSpec.of(1, 2));
            Path file = planFile("""
                    timeout: soon
                    steps:
                      - type: backups.longhorn.io
                        namespace: longhorn-system
                        labelSelector: "app=="
                        barier: true
                    """);
            Run run = cli(
                    "plan",
                    "--file",
                    file.toString(),
                    "--kubeconfig",
                    kubeconfig(sim.url()).toString(),
                    "--yes");
            assertEquals(Main.USAGE, run.code(), run.out() + run.err());
            assertTrue(run.err().startsWith("error: plan file " + file + " is not valid (2 problems):"), run.err());
            assertTrue(run.err().contains(file + ":1: timeout: invalid duration \"soon\""), run.err());
            assertTrue(run.err().contains(file + ":6: steps[0].barier: unknown key; did you mean barrier?"), run.err());
            assertEquals(0, sim.requests().total(), "nothing was sent: " + sim.requests());
            assertEquals(3, count(sim, "Backup") + count(sim, "BackupVolume"));
        }
    }

    @Test
    @DisplayName("a type the server does not serve is exit 2 naming line and closest types; nothing is deleted")
    void unknownTypeIsUsageError() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.seed(BackupstoreSpec.of(1, 2));
            Path file = planFile("""
                    defaults:
                      namespace: longhorn-system
                    steps:
                      - type: backupvolumes.longhorn.io
                      - type: bakups.longhorn.io
                    """);
            Run run = cli(
                    "plan",
                    "--file",
                    file.toString(),
                    "--kubeconfig",
                    kubeconfig(sim.url()).toString(),
                    "--yes");
            assertEquals(Main.USAGE, run.code(), run.out() + run.err());
            assertTrue(
                    run.err()
                            .contains(file + ":5: steps[1].type: unknown resource type"
                                    + " \"bakups.longhorn.io\": the API server serves no resource, short name or kind by that name;"
                                    + " did you mean backups.longhorn.io"),
                    run.err());
            assertEquals(0, sim.requests().total(), "only discovery was asked: " + sim.requests());
        }
    }

    @Test
    @DisplayName("a plan file that is not there is exit 2 naming it")
    void missingPlanFile() {
        Path missing = dir.resolve("missing.yaml");
        Run run = cli(
                "plan",
                "--file",
                missing.toString(),
                "--kubeconfig",
                dir.resolve("nope").toString());
        assertEquals(Main.USAGE, run.code(), run.err());
        assertTrue(run.err().contains(missing + ": no such file"), run.err());
    }

    @Test
    @DisplayName("longhorn --plan full --yes runs LonghornPlans.full: every step in order, the backupstore empty")
    void longhornFullPlan() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.seed(BackupstoreSpec.of(2, 3).failedBackups(1));
            Run run = cli(
                    "longhorn",
                    "--plan",
                    "full",
                    "--kubeconfig",
                    kubeconfig(sim.url()).toString(),
                    "--yes",
                    "-o",
                    "json");
            assertEquals(Main.CLEAN, run.code(), run.out() + run.err());
            assertEquals("Longhorn full teardown", run.json().get("plan").getAsString());
            JsonArray steps = run.json().getAsJsonArray("steps");
            assertEquals(11, steps.size(), run.out());
            assertTrue(
                    steps.get(7).getAsJsonObject().get("resource").getAsString().startsWith("backupvolumes."),
                    steps.get(7).toString());
            assertEquals(0, count(sim, "BackupVolume"));
            assertEquals(0, count(sim, "Backup"));
        }
    }

    @Test
    @DisplayName("longhorn --plan backups is a dry run without --yes; step-only flags are refused with --plan")
    void longhornBackupsPlanDryRunAndRefusedFlags() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 2));
            String config = kubeconfig(sim.url()).toString();
            Run run = cli("longhorn", "--plan", "backups", "--kubeconfig", config);
            assertEquals(Main.CLEAN, run.code(), run.out() + run.err());
            assertTrue(run.out().startsWith("Dry run: nothing will be deleted"), run.out());
            assertTrue(run.out().contains("Longhorn backups teardown in 4 steps: "), run.out());
            assertEquals(0, sim.requests().count(Verb.DELETE));

            Run refused = cli("longhorn", "--plan", "backups", "--kubeconfig", config, "--require-crds", "--yes");
            assertEquals(Main.USAGE, refused.code());
            assertEquals(
                    "error: --require-crds cannot be combined with --plan",
                    refused.err().strip());
            assertEquals(0, sim.requests().count(Verb.DELETE));
            assertEquals(seeded.backupVolumes().size(), count(sim, "BackupVolume"));
        }
    }

    @Test
    void planHasHelp() {
        Run run = cli("plan", "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("Usage: kube-teardown plan"), run.out());
        assertTrue(run.out().contains("--file=FILE"), run.out());
    }
}
