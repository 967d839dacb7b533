package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.PlanFileException.Problem;
import dev.kubeteardown.sim.LonghornResources;
import dev.kubeteardown.sim.LonghornSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plan files: what a good file builds and runs, and every problem of a bad one named by file, line and field. */
class PlanFileTest {

    static final String NS = "longhorn-system";

    static String kind(String plural) {
        return LonghornResources.byPlural(plural).kind();
    }

    /** The format as the README shows it. */
    static final String EXAMPLE = """
            name: my teardown
            timeout: 5m
            verifyAfter: 1.5s
            defaults:
              namespace: longhorn-system
              labelSelector: app=my-test
            steps:
              - type: volumes.longhorn.io
                barrier: true
              - parallel:
                  - type: snapshots.longhorn.io
                  - type: RecurringJob
              - type: lhb
                namespace: other-ns
                fieldSelector: metadata.name!=keep-me
                timeout: 2m
                parallelism: 3
            """;

    @TempDir
    Path dir;

    static void create(KubernetesClient client, String plural, String namespace, String name, String app) {
        client.genericKubernetesResources("longhorn.io/v1beta2", kind(plural))
                .inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("longhorn.io/v1beta2")
                        .withKind(kind(plural))
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .withLabels(Map.of("app", app))
                        .endMetadata()
                        .build())
                .create();
    }

    static List<String> names(KubernetesClient client, String plural, String namespace) {
        return client
                .genericKubernetesResources("longhorn.io/v1beta2", kind(plural))
                .inNamespace(namespace)
                .list()
                .getItems()
                .stream()
                .map(o -> o.getMetadata().getName())
                .sorted()
                .toList();
    }

    static PlanFileException invalid(String yaml) {
        return assertThrows(PlanFileException.class, () -> PlanFile.parse("teardown.yaml", yaml));
    }

    @Test
    @DisplayName("every feature of the format reaches the plan: order, parallel group, barrier, scopes, timeouts")
    void goodFileBuildsThePlanItDescribes() {
        PlanFile file = PlanFile.parse("teardown.yaml", EXAMPLE);
        assertEquals("my teardown", file.name());
        assertEquals(Duration.ofMinutes(5), file.timeout());
        assertEquals(Duration.ofMillis(1500), file.verifyAfter().orElseThrow());
        assertEquals(List.of("volumes.longhorn.io", "snapshots.longhorn.io", "RecurringJob", "lhb"), file.types());
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            CleanupPlan plan = file.toPlan(sim.apiClient());
            assertEquals(
                    List.of(
                            "step 1: volumes.longhorn.io/v1beta2 in namespace longhorn-system, labels app=my-test"
                                    + " (barrier)",
                            "steps 2-3: snapshots.longhorn.io/v1beta2 in namespace longhorn-system, labels app=my-test"
                                    + " | recurringjobs.longhorn.io/v1beta2 in namespace longhorn-system, labels"
                                    + " app=my-test",
                            "step 4: backups.longhorn.io/v1beta2 in namespace other-ns, labels app=my-test, fields"
                                    + " metadata.name!=keep-me"),
                    plan.stepDescriptions());
            assertEquals("my teardown", plan.description());
            List<Cleanup> cleanups = plan.cleanups();
            assertEquals(Duration.ofMinutes(5), cleanups.get(0).spec().timing().timeout(), "the plan's by default");
            assertEquals(Duration.ofMinutes(2), cleanups.get(3).spec().timing().timeout());
            assertEquals(3, cleanups.get(3).spec().limits().parallelism());
            assertEquals(DryRun.OFF, cleanups.get(0).spec().dryRun());
            assertEquals(
                    DryRun.CLIENT,
                    file.dryRun(DryRun.CLIENT)
                            .toPlan(sim.apiClient())
                            .cleanups()
                            .get(3)
                            .spec()
                            .dryRun());
        }
    }

    @Test
    @DisplayName(
            "a plan file runs on the simulator: only its scope is deleted, and a barrier that is not clean stops it")
    void planFileRuns() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            KubernetesClient k = sim.fabricClient();
            create(k, "volumes", NS, "vol-mine", "mine");
            create(k, "volumes", NS, "vol-other", "other");
            create(k, "snapshots", NS, "snap-mine", "mine");
            k.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName("team-b")
                            .endMetadata()
                            .build())
                    .create();
            create(k, "backups", "team-b", "backup-mine", "mine");
            String yaml = """
                    defaults:
                      labelSelector: app=mine
                      namespace: longhorn-system
                    steps:
                      - type: volumes.longhorn.io
                        barrier: true
                      - parallel:
                          - type: snapshots
                          - type: recurringjobs.longhorn.io
                      - type: backups.longhorn.io
                        allNamespaces: true
                    """;

            CleanupReport report =
                    PlanFile.parse("mine.yaml", yaml).toPlan(sim.apiClient()).run();

            assertEquals(3, report.count(Outcome.Status.DELETED), report.table());
            assertEquals("mine.yaml", report.resource(), "the source names a plan without a name");
            assertEquals(List.of("vol-other"), names(k, "volumes", NS));
            assertEquals(List.of(), names(k, "snapshots", NS));
            assertEquals(List.of(), names(k, "backups", "team-b"));
        }
    }

    @Test
    @DisplayName("a bad file: every problem at once, each with file, line and field, sorted by line")
    void everyProblemIsNamed() {
        PlanFileException e = invalid("""
                name: bad
                timeout: 5 minutes
                defaults:
                  namespace: Longhorn_System
                  allNamespaces: true
                steps:
                  - type: volumes.longhorn.io
                    labelselector: app=x
                  - parallel:
                      - type: snapshots.longhorn.io
                        barrier: true
                      - labelSelector: "app in (a"
                  - type: backups.longhorn.io
                    fieldSelector: metadata.name
                    timeout: 90
                    barrier: maybe
                    type: lhb
                  - type: orphans.longhorn.io
                    parallel: true
                  - parallel:
                      - parallel: []
                  - parallel: []
                    namespace: x
                """);

        assertEquals(
                List.of(
                        "teardown.yaml:2: timeout: invalid duration \"5 minutes\" (use e.g. 90s, 5m, 1h30m, 1.5s)",
                        "teardown.yaml:4: defaults.namespace: must be a lower-case DNS label (a namespace name), was"
                                + " \"Longhorn_System\"",
                        "teardown.yaml:5: defaults.allNamespaces: give either namespace or allNamespaces: true, not both",
                        "teardown.yaml:8: steps[0].labelselector: unknown key; did you mean labelSelector?",
                        "teardown.yaml:11: steps[1].parallel[0].barrier: a step inside a parallel group cannot be a"
                                + " barrier: mark the group (barrier: true next to parallel)",
                        "teardown.yaml:12: steps[1].parallel[1].labelSelector: invalid label selector \"app in (a\":"
                                + " ends unexpectedly",
                        "teardown.yaml:12: steps[1].parallel[1].type: missing: every step names its resource type as"
                                + " kubectl spells it (e.g. backups.longhorn.io)",
                        "teardown.yaml:14: steps[2].fieldSelector: invalid field selector \"metadata.name\": term"
                                + " \"metadata.name\" has no operator (expected field=value, field==value or"
                                + " field!=value)",
                        "teardown.yaml:15: steps[2].timeout: invalid duration \"90\" (give a unit, e.g. 90s)",
                        "teardown.yaml:16: steps[2].barrier: expected true or false, got \"maybe\"",
                        "teardown.yaml:17: steps[2].type: given twice (first on line 13)",
                        "teardown.yaml:18: steps[3].type: a parallel group takes only parallel and barrier: put type"
                                + " on each of its steps",
                        "teardown.yaml:19: steps[3].parallel: expected a list (lines starting with -), got \"true\"",
                        "teardown.yaml:21: steps[4].parallel[0].parallel: parallel groups cannot be nested: list the"
                                + " steps in one group",
                        "teardown.yaml:21: steps[4].parallel[0].type: missing: every step names its resource type as"
                                + " kubectl spells it (e.g. backups.longhorn.io)",
                        "teardown.yaml:22: steps[5].parallel: empty: a parallel group needs at least one step",
                        "teardown.yaml:23: steps[5].namespace: a parallel group takes only parallel and barrier: put"
                                + " namespace on each of its steps"),
                e.problems().stream().map(Problem::toString).toList(),
                e.getMessage());
        assertTrue(
                e.getMessage().startsWith("plan file teardown.yaml is not valid (17 problems):\n  teardown.yaml:2: "));
    }

    @Test
    @DisplayName("structure: not a mapping, no steps, empty steps, invalid YAML, an empty file")
    void structuralProblems() {
        assertEquals(
                List.of(
                        "teardown.yaml:1: expected a mapping of name, timeout, verifyAfter, defaults, steps; got a list"),
                invalid("- type: backups\n").problems().stream()
                        .map(Problem::toString)
                        .toList());
        assertEquals(
                "teardown.yaml:1: steps: missing: a plan needs at least one step",
                invalid("name: nothing\n").problems().get(0).toString());
        assertEquals(
                "teardown.yaml:2: steps: empty: a plan needs at least one step",
                invalid("name: nothing\nsteps: []\n").problems().get(0).toString());
        Problem yaml = invalid("steps:\n  - type: backups\n   namespace: x\n")
                .problems()
                .get(0);
        assertEquals(3, yaml.line(), yaml.toString());
        assertTrue(yaml.message().startsWith("not valid YAML: "), yaml.toString());
        assertEquals(
                "teardown.yaml: the file is empty: a plan needs steps",
                invalid("# nothing\n").problems().get(0).toString());
    }

    @Test
    @DisplayName("a file that is not there is a PlanFileException naming it")
    void missingFile() {
        Path nowhere = dir.resolve("nowhere.yaml");
        PlanFileException e = assertThrows(PlanFileException.class, () -> PlanFile.read(nowhere));
        assertEquals(
                List.of(nowhere + ": no such file"),
                e.problems().stream().map(Problem::toString).toList());
    }

    @Test
    @DisplayName("read(Path) and CleanupPlan.fromFile name the file as given in their messages")
    void readNamesTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("teardown.yaml"), "steps:\n  - type: backups\n    timeout: 0s\n");
        PlanFileException e = assertThrows(PlanFileException.class, () -> PlanFile.read(file));
        assertEquals(
                List.of(file + ":3: steps[0].timeout: must be more than 0, was 0s"),
                e.problems().stream().map(Problem::toString).toList());
    }

    @Test
    @DisplayName("types the server does not serve, cannot delete or need a namespace: every one named, nothing sent")
    void typeProblemsAfterDiscovery() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            String yaml = """
                    steps:
                      - type: bakups.longhorn.io
                        namespace: longhorn-system
                      - parallel:
                          - type: volumes.longhorn.io
                          - type: snapshots.longhorn.io
                            allNamespaces: true
                      - type: namespaces
                    """;
            PlanFileException e = assertThrows(
                    PlanFileException.class,
                    () -> PlanFile.parse("teardown.yaml", yaml).toPlan(sim.apiClient()));
            List<Problem> problems = e.problems();
            assertEquals(2, problems.size(), e.getMessage());
            assertTrue(
                    problems.get(0)
                            .toString()
                            .startsWith("teardown.yaml:2: steps[0].type: unknown resource type"
                                    + " \"bakups.longhorn.io\": the API server serves no resource, short name or kind by that name;"
                                    + " did you mean backups.longhorn.io"),
                    e.getMessage());
            assertEquals(
                    "teardown.yaml:5: steps[1].parallel[0].type: volumes.longhorn.io is namespaced: give namespace,"
                            + " or allNamespaces: true (in the step or in defaults)",
                    problems.get(1).toString());
            assertEquals(0, sim.requests().total(), "only discovery was asked: " + sim.requests());
        }
    }

    @Test
    @DisplayName("ifMissing: skip turns a type the server does not serve into a SKIPPED step; the plan stays clean")
    void ifMissingSkip() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            String yaml = """
                    defaults:
                      namespace: longhorn-system
                      ifMissing: skip
                    steps:
                      - type: widgets.example.io
                      - type: backups.longhorn.io
                    """;
            CleanupReport report = PlanFile.parse("teardown.yaml", yaml)
                    .toPlan(sim.apiClient())
                    .run();
            assertEquals(1, report.count(Outcome.Status.SKIPPED), report.table());
            Outcome skipped = report.steps().get(0).outcomes().get(0);
            assertEquals("widgets.example.io (not served)", skipped.resource());
            assertTrue(skipped.detail().startsWith("unknown resource type \"widgets.example.io\""));
            assertTrue(report.isClean());
        }
    }

    @Test
    @DisplayName("the README's plan file builds on the simulator as written, and its error example is what is printed")
    void readmeExamplesAreTrue() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher format = Pattern.compile(
                        "The format, as `PlanFileTest` reads it[^`]*```yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(format.find(), "the README's plan file example");
        PlanFile example = PlanFile.parse("README.md", format.group(1));
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            assertEquals(3, example.toPlan(sim.apiClient()).stepDescriptions().size());
        }
        Matcher errors = Pattern.compile("```\\n(error: plan file teardown.yaml.*?)\\n```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(errors.find(), "the README's error example");
        PlanFileException e = invalid("""
                name: x
                timeout: 5 minutes
                steps:
                  - type: backups.longhorn.io
                    labelselector: app=x
                  - parallel:
                      - type: snapshots.longhorn.io
                        barrier: true
                """);
        assertEquals(errors.group(1), "error: " + e.getMessage());
    }
}
