package dev.kubeteardown.cli;

import static dev.kubeteardown.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Flags are checked before anything starts, and their errors name the flag, never a builder method. */
class FlagsTest {

    @TempDir
    Path dir;

    /** A kubeconfig whose server cannot be reached: a flag error must come before any attempt to reach it. */
    String unreachableKubeconfig() throws IOException {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "- name: c",
                        "  cluster:",
                        "    server: http://127.0.0.1:1",
                        "contexts:",
                        "- name: c",
                        "  context:",
                        "    cluster: c",
                        "current-context: c",
                        ""));
        return file.toString();
    }

    @Test
    @DisplayName("demo --parallelism=0 is refused before the simulator starts, naming the flag")
    void demoParallelismBeforeTheSimulator() {
        Run run = cli("demo", "--parallelism=0");
        assertEquals(Main.USAGE, run.code());
        assertTrue(run.err().contains("--parallelism must be >= 1, was 0"), run.err());
        assertFalse(run.out().contains("Simulated Longhorn"), "the simulator never started: " + run.out());
        assertTrue(cli("demo", "--parallelism=100000").err().contains("--parallelism must be <= 256, was 100000"));
        assertTrue(cli("demo", "--timeout=0").err().contains("--timeout must be more than 0, was 0s"));
        assertTrue(cli("demo", "--race-rate=2").err().contains("--race-rate must be within [0, 1], was 2.0"));
        assertTrue(cli("demo", "--volumes=-1").err().contains("--volumes must be >= 0, was -1"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "longhorn --parallelism 0 | --parallelism must be >= 1, was 0",
                "longhorn --timeout 0 | --timeout must be more than 0, was 0s",
                "longhorn -n Not_A_Namespace | --namespace must be a lower-case DNS label",
                "longhorn --plan full --parallelism 0 | --parallelism must be >= 1, was 0",
                "longhorn -l a!!b | --selector: invalid label selector",
                "sweep | sweep needs --older-than or --finished-run",
                "sweep --older-than 1h -n Bad! | --namespace must be a lower-case DNS label",
            })
    @DisplayName("longhorn and sweep: a bad flag is exit 2 naming the flag, before the (unreachable) server is tried")
    void flagErrorsNameTheFlag(String args, String message) throws IOException {
        String[] words = (args.trim() + " --kubeconfig " + unreachableKubeconfig()).split(" ");
        Run run = cli(words);
        assertEquals(Main.USAGE, run.code(), run.err());
        assertTrue(run.err().contains(message), run.err());
        assertFalse(run.err().contains("cannot reach"), "checked before the server: " + run.err());
        assertFalse(run.err().matches("(?s).*\\b[a-z]+[A-Z]\\w*\\(.*"), "no builder method: " + run.err());
    }

    @Test
    @DisplayName("what only the library checks reaches the user under the flag's name")
    void libraryMessagesAreFlagged() {
        assertEquals(
                "sweep needs --older-than or --finished-run: with neither",
                Flags.flagged("sweep needs olderThan(...) or finishedRuns(...): with neither"));
        assertEquals("--parallelism must be >= 1, was 0", Flags.flagged("parallelism must be >= 1, was 0"));
        assertEquals(
                "--selector: invalid label selector \"a==\": x", Flags.flagged("invalid label selector \"a==\": x"));
        assertEquals("request timeout must be positive", Flags.flagged("request timeout must be positive"));
    }
}
