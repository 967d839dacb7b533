package dev.kubeteardown.cli;

import static dev.kubeteardown.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.cli.CliTest.Run;
import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.SeededBackupstore;
import dev.kubeteardown.sim.Verb;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options a kubectl user types, as kubectl spells them: -o name, --field-selector, -A, the dry run by type. */
class KubectlOptionsTest {

    @TempDir
    Path dir;

    LonghornSimulator sim;
    SeededBackupstore seeded;
    String config;

    @BeforeEach
    void start() throws IOException {
        sim = LonghornSimulator.builder().start();
        seeded = sim.seed(BackupstoreSpec.of(2, 2).failedBackups(1));
        CliTest kubeconfigs = new CliTest();
        kubeconfigs.dir = dir;
        config = kubeconfigs.kubeconfig(sim.url()).toString();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    @DisplayName("longhorn -o name: kind.group/name lines as kubectl delete -o name, dry and for real")
    void outputName() {
        Run dry = cli("longhorn", "--kubeconfig", config, "-o", "name");
        assertEquals(Main.CLEAN, dry.code(), dry.err());
        List<String> expected = Stream.concat(
                        seeded.backupVolumes().stream().map(n -> "backupvolume.longhorn.io/" + n),
                        Stream.concat(seeded.backups().stream(), seeded.failedBackups().stream())
                                .distinct()
                                .map(n -> "backup.longhorn.io/" + n))
                .sorted()
                .toList();
        assertEquals(expected, dry.out().lines().sorted().toList(), "every object to delete, nothing else");
        assertEquals(0, sim.requests().count(Verb.DELETE));

        Run real = cli("longhorn", "--kubeconfig", config, "--yes", "-o", "name");
        assertEquals(Main.CLEAN, real.code(), real.err());
        List<String> lines = real.out().lines().toList();
        for (String volume : seeded.backupVolumes()) {
            assertTrue(lines.contains("backupvolume.longhorn.io/" + volume), real.out());
        }
        assertTrue(lines.stream().allMatch(l -> l.matches("(backupvolume|backup)\\.longhorn\\.io/\\S+")), real.out());
    }

    @Test
    @DisplayName("longhorn's dry run lists what it would delete by type (the sweep's listing)")
    void dryRunByType() {
        Run run = cli("longhorn", "--kubeconfig", config);
        assertEquals(Main.CLEAN, run.code(), run.err());
        assertTrue(run.out().contains("Would delete, by type:"), run.out());
        String volume = seeded.backupVolumes().get(0);
        assertTrue(
                run.out().lines().anyMatch(l -> l.startsWith("  backupvolumes.longhorn.io: ") && l.contains(volume)),
                run.out());
    }

    @Test
    @DisplayName("longhorn --field-selector and -A narrow and widen the scope as kubectl's do; -A with -n is refused")
    void fieldSelectorAndAllNamespaces() {
        String volume = seeded.backupVolumes().get(0);
        Run one = cli("longhorn", "--kubeconfig", config, "--field-selector", "metadata.name=" + volume, "-o", "name");
        assertEquals(Main.CLEAN, one.code(), one.err());
        assertEquals(
                List.of("backupvolume.longhorn.io/" + volume), one.out().lines().toList());

        Run all = cli("longhorn", "--kubeconfig", config, "-A", "-o", "json");
        assertEquals(Main.CLEAN, all.code(), all.err());
        assertEquals(
                seeded.backupVolumes().size(), all.counts(0).get("WOULD_DELETE").getAsInt());
        Run wrongNamespace = cli("longhorn", "--kubeconfig", config, "-n", "elsewhere", "-o", "json");
        assertEquals(0, wrongNamespace.counts(0).get("WOULD_DELETE").getAsInt(), "-n still narrows");

        Run both = cli("longhorn", "--kubeconfig", config, "-A", "-n", "longhorn-system");
        assertEquals(Main.USAGE, both.code());
        assertTrue(both.err().contains("--namespace and --all-namespaces cannot be combined"), both.err());
        Run planFields = cli("longhorn", "--kubeconfig", config, "--plan", "backups", "--field-selector", "a=b");
        assertEquals(Main.USAGE, planFields.code());
        assertTrue(planFields.err().contains("--field-selector cannot be combined with --plan"), planFields.err());
        assertEquals(Main.USAGE, cli("demo", "-o", "name").code(), "demo deletes nothing to name");
    }
}
