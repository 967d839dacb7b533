package dev.kubeteardown.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C, as a person at a terminal sends it: the executable's process gets SIGINT in the middle of a run. */
class InterruptTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @DisplayName("Ctrl-C (SIGINT) mid-run prints the partial report and exits 1, not 130 with nothing")
    void ctrlCPrintsThePartialReportAndExitsOne() throws Exception {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            // the backup volume goes, then the backups step waits for the stuck backup until Ctrl-C
            sim.seed(BackupstoreSpec.of(1, 2).stuckBackups(1));
            CliTest kubeconfigs = new CliTest();
            kubeconfigs.dir = dir;
            String config = kubeconfigs.kubeconfig(sim.url()).toString();
            String java =
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            Main.class.getName(),
                            "longhorn",
                            "--kubeconfig",
                            config,
                            "--yes",
                            "--timeout",
                            "10m")
                    .start();
            try {
                StringBuffer out = new StringBuffer();
                CompletableFuture<Void> outDone = CompletableFuture.runAsync(() -> copy(child.getInputStream(), out));
                StringBuffer err = new StringBuffer();
                CompletableFuture<Void> errDone = CompletableFuture.runAsync(() -> copy(child.getErrorStream(), err));
                // the first step's last progress line, then the second step waiting for the stuck backup (it
                // watches, or lists again)
                awaitUntil(() -> out.toString().contains("backupvolumes: 1/1"), "the first step ends", out, err);
                awaitUntil(
                        () -> sim.requests().count(Verb.WATCH, "backups") > 0
                                || sim.requests().count(Verb.LIST, "backups") > 1,
                        "the backups step waits",
                        out,
                        err);

                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
                assertEquals(0, kill.waitFor(), "kill -INT");
                assertTrue(child.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the child exits: " + out + err);
                outDone.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                errDone.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

                assertEquals(Main.NOT_CLEAN, child.exitValue(), out + "\n" + err);
                String report = out.toString();
                assertTrue(report.contains("backupvolumes.longhorn.io"), "the first step's report: " + report);
                assertTrue(report.contains("backups.longhorn.io"), "the interrupted step's partial report: " + report);
                assertTrue(report.contains("interrupted"), "the stuck backup's outcome says why: " + report);
                assertTrue(err.toString().contains("error: interrupted"), err.toString());
            } finally {
                child.destroyForcibly();
            }
        }
    }

    private static void copy(InputStream in, StringBuffer into) {
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buffer = new char[4096];
            for (int n; (n = reader.read(buffer)) >= 0; ) {
                into.append(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls until {@code condition}, failing with what the child printed at the deadline. */
    private static void awaitUntil(BooleanSupplier condition, String what, StringBuffer out, StringBuffer err)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what + ": " + out + "\n" + err);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
