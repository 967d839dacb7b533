package dev.kubeteardown.cli;

import static dev.kubeteardown.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.cli.CliTest.Run;
import dev.kubeteardown.sim.ApiResource;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kube-teardown sweep} on the simulator: every type without --resource, kubectl names with it. */
class SweepCommandTest {

    @TempDir
    Path dir;

    static final String NS = "longhorn-system";
    static final Map<String, String> OLD =
            RunLabels.of("run-old", Instant.now().minus(Duration.ofHours(3))).labels();

    LonghornSimulator sim;
    KubernetesClient k;
    String config;

    @BeforeEach
    void start() throws Exception {
        sim = LonghornSimulator.builder()
                .serve(new ApiResource("", "v1", "ConfigMap", "configmaps", true, List.of("cm")))
                .start();
        k = sim.fabricClient();
        CliTest kubeconfigs = new CliTest();
        kubeconfigs.dir = dir;
        config = kubeconfigs.kubeconfig(sim.url()).toString();
        String parent = configMap("cm-old", OLD, null);
        configMap("cm-owned", OLD, parent);
        configMap("cm-unlabelled", Map.of(), null);
        k.genericKubernetesResources("longhorn.io/v1beta2", "Backup")
                .inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("longhorn.io/v1beta2")
                        .withKind("Backup")
                        .withNewMetadata()
                        .withName("b-old")
                        .withNamespace(NS)
                        .withLabels(OLD)
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    String configMap(String name, Map<String, String> labels, String ownerUid) {
        var meta = new ConfigMapBuilder().withNewMetadata().withName(name).withLabels(new HashMap<>(labels));
        if (ownerUid != null) {
            meta.withOwnerReferences(new OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("ConfigMap")
                    .withName("cm-old")
                    .withUid(ownerUid)
                    .build());
        }
        return k.configMaps()
                .inNamespace(NS)
                .resource(meta.endMetadata().build())
                .create()
                .getMetadata()
                .getUid();
    }

    @Test
    @DisplayName(
            "without --resource: the dry run lists the objects of every type, grouped by type, and deletes nothing")
    void dryRunOfEveryType() {
        Run run = cli("sweep", "--kubeconfig", config, "--older-than", "1h");
        assertEquals(Main.CLEAN, run.code(), run.err());
        assertEquals(0, sim.requests().count(Verb.DELETE), "a dry run deletes nothing");
        assertTrue(
                run.out()
                        .contains("Would delete, by type:\n"
                                + "  backups.longhorn.io: longhorn-system/b-old\n"
                                + "  configmaps: longhorn-system/cm-old\n"),
                run.out());
        assertTrue(
                run.out()
                        .contains("configmaps longhorn-system/cm-owned: dry run: left to the garbage collector: owned"
                                + " by ConfigMap/cm-old, which this sweep would delete"),
                run.out());
    }

    @Test
    @DisplayName("-l narrows the stale runs' objects as kubectl's selector does; -o name prints kind.group/name lines")
    void selectorAndOutputName() {
        Run none = cli("sweep", "--kubeconfig", config, "--older-than", "1h", "-l", "app=nothing", "-o", "name");
        assertEquals(Main.CLEAN, none.code(), none.err());
        assertEquals("", none.out(), "no stale object matches app=nothing");

        Run dry = cli("sweep", "--kubeconfig", config, "--older-than", "1h", "-A", "-o", "name");
        assertEquals(Main.CLEAN, dry.code(), dry.err());
        assertEquals(
                List.of("backup.longhorn.io/b-old", "configmap/cm-old"),
                dry.out().lines().sorted().toList());
        Run cms = cli(
                "sweep",
                "--kubeconfig",
                config,
                "--older-than",
                "1h",
                "--field-selector",
                "metadata.name=cm-old",
                "--yes",
                "-o",
                "name");
        assertEquals(Main.CLEAN, cms.code(), cms.err());
        assertEquals(List.of("configmap/cm-old"), cms.out().lines().toList());
        assertEquals(0, sim.requests().count(Verb.DELETE, "backups"), "the field selector kept the backup");
    }

    @Test
    @DisplayName("without --resource, --yes: one JSON step per type, roots deleted, the owned object sent no DELETE")
    void everyTypeWithYes() {
        Run run = cli("sweep", "--kubeconfig", config, "--older-than", "1h", "--yes", "-o", "json");
        assertEquals(Main.CLEAN, run.code(), run.err() + run.out());
        Map<String, JsonObject> counts = new HashMap<>();
        for (JsonElement step : run.json().getAsJsonArray("steps")) {
            JsonObject o = step.getAsJsonObject();
            counts.put(o.get("resource").getAsString(), o.getAsJsonObject("counts"));
        }
        assertEquals(1, counts.get("configmaps/v1").get("DELETED").getAsInt(), run.out());
        assertEquals(1, counts.get("configmaps/v1").get("SKIPPED").getAsInt(), run.out());
        assertEquals(1, counts.get("backups.longhorn.io/v1beta2").get("DELETED").getAsInt(), run.out());
        assertEquals(1, sim.requests().count(Verb.DELETE, "configmaps"), "only the root configmap");
        assertNull(k.configMaps().inNamespace(NS).withName("cm-old").get());
        assertNotNull(k.configMaps().inNamespace(NS).withName("cm-unlabelled").get(), "unlabelled: never touched");
    }

    @Test
    @DisplayName("--resource takes kubectl names and the older plural.group/version form; an unknown name is a usage"
            + " error naming close matches")
    void resourceNames() {
        Run run = cli("sweep", "--kubeconfig", config, "--older-than", "1h", "--resource", "cm,lhb");
        assertEquals(Main.CLEAN, run.code(), run.err());
        assertTrue(
                run.out()
                        .contains("  backups.longhorn.io: longhorn-system/b-old\n  configmaps: longhorn-system/cm-old,"
                                + " longhorn-system/cm-owned\n"),
                run.out());
        Run old =
                cli("sweep", "--kubeconfig", config, "--older-than", "1h", "--resource", "backups.longhorn.io/v1beta2");
        assertEquals(Main.CLEAN, old.code(), old.err());
        assertTrue(old.out().contains("  backups.longhorn.io: longhorn-system/b-old\n"), old.out());
        Run wrongVersion = cli("sweep", "--kubeconfig", config, "--older-than", "1h", "--resource", "configmaps/v2");
        assertEquals(Main.USAGE, wrongVersion.code());
        assertTrue(wrongVersion.err().contains("serves configmaps at v1, not v2"), wrongVersion.err());
        Run unknown = cli("sweep", "--kubeconfig", config, "--older-than", "1h", "--resource", "backup.longhorn.oi");
        assertEquals(Main.USAGE, unknown.code());
        assertTrue(unknown.err().contains("did you mean backups.longhorn.io"), unknown.err());
        assertEquals(0, sim.requests().count(Verb.DELETE));
    }
}
