package dev.kubeteardown.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.SeededBackupstore;
import dev.kubeteardown.sim.Verb;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line end to end, in-process: exit codes, output, and what reaches the (simulated) cluster. */
class CliTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }

        /** The outcome counts of step {@code index} (0: backup volumes, 1: backups) of a JSON run. */
        JsonObject counts(int index) {
            return json().getAsJsonArray("steps").get(index).getAsJsonObject().getAsJsonObject("counts");
        }
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    Path kubeconfig(String server) throws IOException {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "- name: sim",
                        "  cluster:",
                        "    server: " + server,
                        "users:",
                        "- name: tester",
                        "  user:",
                        "    token: not-checked-by-the-simulator",
                        "contexts:",
                        "- name: sim",
                        "  context:",
                        "    cluster: sim",
                        "    user: tester",
                        "current-context: sim",
                        ""));
        return file;
    }

    @Test
    @DisplayName("demo: exit 0, the table for both steps and the closing line")
    void demoIsClean() {
        Run run = cli("demo", "--volumes", "4", "--backups-per-volume", "5", "--failed", "2");
        assertEquals(Main.CLEAN, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("backupvolumes.longhorn.io/v1beta2"), run.out());
        assertTrue(run.out().contains("backups.longhorn.io/v1beta2"), run.out());
        assertTrue(run.out().contains("kube-teardown: clean"), run.out());
    }

    @Test
    @DisplayName("demo --output json: parses, is clean, and counts every seeded backup once")
    void demoJson() {
        Run run = cli("demo", "--volumes", "3", "--backups-per-volume", "4", "--failed", "2", "-o", "json");
        assertEquals(Main.CLEAN, run.code(), run.err());
        JsonObject json = run.json();
        assertTrue(json.get("clean").getAsBoolean());
        var steps = json.getAsJsonArray("steps");
        assertEquals(2, steps.size());
        assertEquals(
                3, steps.get(0).getAsJsonObject().getAsJsonArray("outcomes").size(), "3 backup volumes");
        JsonObject counts = steps.get(1).getAsJsonObject().getAsJsonObject("counts");
        assertEquals(0, counts.get("FAILED").getAsInt());
        assertEquals(0, counts.get("STUCK").getAsInt());
    }

    @Test
    @DisplayName("demo --naive: the original algorithm fails on the 404 race that kube-teardown absorbs")
    void naiveFailsWhereKubeTeardownIsClean() {
        // --race-rate 1: Longhorn removes every backup right before our delete of it is applied. The failed backup is
        // never touched by the controller, so the naive loop always has one to delete, whatever the timing: its first
        // backup delete gets the 404 that aborted the suite; kube-teardown counts it ALREADY_GONE.
        Run run = cli(
                "demo",
                "--naive",
                "--volumes",
                "2",
                "--backups-per-volume",
                "3",
                "--failed",
                "1",
                "--race-rate",
                "1",
                "-o",
                "json");
        assertEquals(Main.CLEAN, run.code(), run.err());
        JsonObject naive = run.json().getAsJsonObject("naive");
        assertEquals(false, naive.get("succeeded").getAsBoolean(), run.out());
        assertTrue(
                naive.get("failure")
                        .getAsString()
                        .matches("\\(404\\) backups\\.longhorn\\.io \"backup-[0-9a-f]+\" not found"),
                naive.get("failure").getAsString());
        assertTrue(run.json().get("clean").getAsBoolean());
        JsonObject counts = run.counts(1);
        assertEquals(
                0, counts.get("DELETED").getAsInt(), "every backup was removed by Longhorn, none by us: " + run.out());
        assertTrue(counts.get("ALREADY_GONE").getAsInt() >= 1, run.out());
    }

    @Test
    @DisplayName("demo with no flags (the README's first command): clean, ALREADY_GONE races absorbed")
    void defaultDemoAbsorbsRaces() {
        // By design, not by speed: a fast client outruns the garbage collector, but the demo's seeded --race-rate
        // (5 % of backup deletes lose to Longhorn) makes the 404 appear on any machine.
        Run run = cli("demo", "-o", "json");
        assertEquals(Main.CLEAN, run.code(), run.err());
        assertTrue(run.json().get("clean").getAsBoolean());
        JsonObject counts = run.counts(1);
        assertTrue(counts.get("ALREADY_GONE").getAsInt() > 0, run.out());
        assertEquals(0, counts.get("FAILED").getAsInt());
        assertEquals(0, counts.get("STUCK").getAsInt());
    }

    @Test
    @DisplayName("longhorn without --yes is a dry run: WOULD_DELETE, no DELETE reaches the cluster")
    void longhornDryRunByDefault() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 3).failedBackups(1));
            Run run = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "-o", "json");
            assertEquals(Main.CLEAN, run.code(), run.err());
            JsonObject counts = run.counts(1);
            assertEquals(seeded.backupCount(), counts.get("WOULD_DELETE").getAsInt());
            assertEquals(0, sim.requests().count(Verb.DELETE));
            assertEquals(0, sim.requests().count(Verb.PATCH));
        }
    }

    @Test
    @DisplayName("longhorn --yes through a kubeconfig: deletes, JSON matches the cluster, exit 0")
    void longhornDeletes() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 3).failedBackups(2));
            Run run = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "--yes", "-o", "json");
            assertEquals(Main.CLEAN, run.code(), run.err());
            var steps = run.json().getAsJsonArray("steps");
            JsonObject volumes = steps.get(0).getAsJsonObject().getAsJsonObject("counts");
            assertEquals(seeded.backupVolumes().size(), volumes.get("DELETED").getAsInt());
            int backupsHandled =
                    steps.get(1).getAsJsonObject().getAsJsonArray("outcomes").size();
            assertTrue(
                    backupsHandled >= seeded.failedBackups().size(),
                    "the failed backups are cleaned by the second step");
            Run again = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "--yes", "-o", "json");
            assertEquals(
                    0,
                    again.json()
                            .getAsJsonArray("steps")
                            .get(1)
                            .getAsJsonObject()
                            .getAsJsonArray("outcomes")
                            .size(),
                    "nothing is left: " + again.out());
        }
    }

    @Test
    @DisplayName("exit 1 when a backup is STUCK")
    void stuckIsExitOne() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.seed(BackupstoreSpec.of(1, 2).stuckBackups(1));
            Run run = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "--yes", "--timeout", "1s");
            assertEquals(Main.NOT_CLEAN, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("STUCK"), run.out());
        }
    }

    @Test
    @DisplayName("exit 2: no kubeconfig, unreachable server, a required CRD that is not installed, bad flags")
    void usageErrorsAreExitTwo() throws IOException {
        Run missing = cli("longhorn", "--kubeconfig", dir.resolve("nope").toString());
        assertEquals(Main.USAGE, missing.code());
        assertTrue(missing.err().contains("no kubeconfig found at"), missing.err());

        Run unreachable =
                cli("longhorn", "--kubeconfig", kubeconfig("http://127.0.0.1:1").toString(), "--yes");
        assertEquals(Main.USAGE, unreachable.code(), unreachable.out());
        assertTrue(unreachable.err().contains("cannot reach the API server"), unreachable.err());

        try (LonghornSimulator sim =
                LonghornSimulator.builder().notServed("longhorn.io", "v1beta1").start()) {
            Run skipped = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "--api-version", "v1beta1");
            assertEquals(Main.CLEAN, skipped.code(), skipped.err());
            assertTrue(skipped.out().contains("SKIPPED"), skipped.out());
            Run required = cli(
                    "longhorn",
                    "--kubeconfig",
                    kubeconfig(sim.url()).toString(),
                    "--api-version",
                    "v1beta1",
                    "--require-crds");
            assertEquals(Main.USAGE, required.code());
            assertTrue(required.err().contains("is not served"), required.err());
        }
        assertEquals(Main.USAGE, cli("demo", "--timeout", "soon").code());
        assertEquals(Main.USAGE, cli("no-such-command").code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--dry-run", "--dry-run=client", "--dry-run=CLIENT"})
    @DisplayName("longhorn --dry-run[=client] --yes: the dry run wins, no DELETE reaches the cluster")
    void clientDryRunWinsOverYes(String flag) throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 3).failedBackups(1));
            Run run = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), flag, "--yes", "-o", "json");
            assertEquals(Main.CLEAN, run.code(), run.err());
            JsonObject counts = run.counts(1);
            assertEquals(seeded.backupCount(), counts.get("WOULD_DELETE").getAsInt());
            assertEquals(0, sim.requests().count(Verb.DELETE));
        }
    }

    @Test
    @DisplayName("longhorn --dry-run=server: deletes are sent with dryRun=All and nothing is removed")
    void serverDryRunSendsDryDeletes() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SeededBackupstore seeded = sim.seed(BackupstoreSpec.of(2, 3).failedBackups(1));
            Run run = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "--dry-run=server", "--yes");
            assertEquals(Main.CLEAN, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("Server-side dry run"), run.out());
            assertTrue(
                    sim.requests().count(Verb.DELETE) >= seeded.backupVolumes().size(), "the server saw the deletes");
            assertEquals(
                    seeded.backupCount() - seeded.failedBackups().size(),
                    sim.remoteBackups().size(),
                    "no data went");
            Run after = cli("longhorn", "--kubeconfig", kubeconfig(sim.url()).toString(), "-o", "json");
            JsonObject counts = after.counts(1);
            assertEquals(seeded.backupCount(), counts.get("WOULD_DELETE").getAsInt(), "every backup is still there");
        }
    }

    @Test
    @DisplayName("--dry-run=none deletes with --yes and is a usage error without it; sweep takes the same forms")
    void dryRunNone() throws IOException {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            sim.seed(BackupstoreSpec.of(1, 2));
            String config = kubeconfig(sim.url()).toString();
            Run refused = cli("longhorn", "--kubeconfig", config, "--dry-run=none");
            assertEquals(Main.USAGE, refused.code());
            assertTrue(refused.err().contains("confirm with --yes"), refused.err());
            assertEquals(0, sim.requests().count(Verb.DELETE));
            Run deleted = cli("longhorn", "--kubeconfig", config, "--dry-run=none", "--yes", "-o", "JSON");
            assertEquals(Main.CLEAN, deleted.code(), deleted.err());
            assertEquals(1, deleted.counts(0).get("DELETED").getAsInt());
            for (String flag : new String[] {"--dry-run", "--dry-run=client", "--dry-run=server"}) {
                Run sweep = cli(
                        "sweep",
                        "--kubeconfig",
                        config,
                        "--resource",
                        "backups.longhorn.io/v1beta2",
                        "--older-than",
                        "1h",
                        flag);
                assertEquals(Main.CLEAN, sweep.code(), flag + ": " + sweep.err());
            }
            assertEquals(
                    Main.USAGE,
                    cli(
                                    "sweep",
                                    "--kubeconfig",
                                    config,
                                    "--resource",
                                    "backups.longhorn.io/v1beta2",
                                    "--older-than",
                                    "1h",
                                    "--dry-run=none")
                            .code());
            assertEquals(
                    Main.USAGE,
                    cli("longhorn", "--kubeconfig", config, "--dry-run=maybe").code());
        }
    }

    @Test
    @DisplayName("exit codes of exceptions: interrupted or failed run 1, configuration 2, a bug 1 with its stack trace")
    void exceptionsMapToExitCodes() {
        StringWriter err = new StringWriter();
        assertEquals(Main.NOT_CLEAN, Main.handle(new InterruptedException(), new PrintWriter(err, true)));
        assertTrue(Thread.interrupted(), "the interrupt is kept (and cleared here)");
        assertEquals(Main.USAGE, Main.handle(new IllegalArgumentException("bad flag"), new PrintWriter(err, true)));
        var noReport = new CleanupReport("backups.longhorn.io/v1beta2", "namespace x", List.of(), Duration.ZERO);
        assertEquals(
                Main.USAGE,
                Main.handle(new CleanupConfigurationException(noReport, "no CRD"), new PrintWriter(err, true)),
                "a configuration error, though it is a CleanupFailedException");
        assertEquals(Main.NOT_CLEAN, Main.handle(new CleanupFailedException(noReport), new PrintWriter(err, true)));
        StringWriter bug = new StringWriter();
        assertEquals(Main.NOT_CLEAN, Main.handle(new NullPointerException("oops"), new PrintWriter(bug, true)));
        assertTrue(bug.toString().startsWith("error: unexpected java.lang.NullPointerException: oops"), bug.toString());
        assertTrue(
                bug.toString().contains("\tat dev.kubeteardown.cli.CliTest.exceptionsMapToExitCodes"), bug.toString());
    }

    @Test
    @DisplayName(
            "KUBECONFIG with several files: merged as kubectl does: first file wins, a context only in the second works")
    void kubeconfigFilesAreMerged() throws Exception {
        Path first = kubeconfig("http://first.invalid:6443");
        Path second = dir.resolve("second");
        Files.writeString(
                second,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "- name: sim",
                        "  cluster:",
                        "    server: http://second-loses.invalid:6443",
                        "- name: only-second",
                        "  cluster:",
                        "    server: http://second.invalid:6443",
                        "contexts:",
                        "- name: from-second",
                        "  context:",
                        "    cluster: only-second",
                        "    user: tester",
                        "current-context: from-second",
                        ""));
        var merged = KubeconfigFiles.merge(List.of(first, second));
        assertEquals("sim", merged.getCurrentContext(), "current-context from the first file that sets it");
        assertEquals("http://first.invalid:6443", merged.getServer(), "the first file's cluster named sim wins");
        assertTrue(merged.setContext("from-second"), "a context defined only in the second file");
        assertEquals("http://second.invalid:6443", merged.getServer());
        assertEquals(
                "not-checked-by-the-simulator", merged.getCredentials().get("token"), "its user from the first file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "longhorn", "sweep"})
    void everyCommandHasHelp(String command) {
        Run run = cli(command, "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("Usage: kube-teardown " + command), run.out());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1s500ms"));
        assertEquals(Duration.ofMinutes(90), DurationConverter.parse("1h30m"));
    }

    @Test
    @DisplayName("the kubeconfig is found as kubectl finds it: $KUBECONFIG (every file), else $HOME/.kube/config")
    void kubeconfigLookupFollowsKubectl() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", "/home/kubectl-user");
        assertEquals(
                List.of(Path.of("/home/kubectl-user/.kube/config")), KubeconfigOptions.defaultFiles(env::get, "/root"));
        env.remove("HOME");
        assertEquals(List.of(Path.of("/root/.kube/config")), KubeconfigOptions.defaultFiles(env::get, "/root"));
        env.put("KUBECONFIG", "/a/config" + File.pathSeparator + "/b/config");
        assertEquals(
                List.of(Path.of("/a/config"), Path.of("/b/config")), KubeconfigOptions.defaultFiles(env::get, "/root"));
    }

    @Test
    @DisplayName("a kubeconfig that is not valid YAML, or not a mapping, is exit 2 naming the file")
    void invalidKubeconfigNamesTheFile() throws IOException {
        Path broken = dir.resolve("broken-kubeconfig");
        Files.writeString(broken, "clusters: [\n  - name: x\n");
        Run run = cli("longhorn", "--kubeconfig", broken.toString());
        assertEquals(Main.USAGE, run.code());
        assertTrue(run.err().contains("kubeconfig " + broken + " is not valid YAML"), run.err());
        Path text = dir.resolve("text-kubeconfig");
        Files.writeString(text, "just some text\n");
        Run notMapping = cli("longhorn", "--kubeconfig", text.toString());
        assertEquals(Main.USAGE, notMapping.code());
        assertTrue(notMapping.err().contains("kubeconfig " + text + " is not a kubeconfig"), notMapping.err());
    }

    @Test
    @DisplayName("a kubeconfig's YAML error says where, never quoting the line: it may hold the token")
    void invalidKubeconfigDoesNotQuoteItsSecrets() throws IOException {
        Path broken = dir.resolve("token-kubeconfig");
        Files.writeString(broken, "users:\n- name: x\n  user:\n    token: \"s3cr3t-token-value\n");

        Run run = cli("longhorn", "--kubeconfig", broken.toString());

        assertEquals(Main.USAGE, run.code());
        assertEquals(
                "error: kubeconfig " + broken
                        + " is not valid YAML: found unexpected end of stream at line 5, column 1\n",
                run.err());
        assertTrue(!run.out().contains("s3cr3t"), run.out());
    }
}
