package dev.kubeteardown;

import dev.kubeteardown.PlanFileException.Problem;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A teardown written down as a YAML file, checked when it is read and turned into a {@link CleanupPlan} with a
 * client:
 *
 * <pre>{@code
 * name: my teardown          # optional: the plan's name in its report
 * timeout: 5m                # optional: the whole plan's deadline, default 10m (Go durations: 90s, 5m, 1h30m, 1.5s)
 * verifyAfter: 30s           # optional: see CleanupPlan.Builder#verifyAfter
 * defaults:                  # optional: every step's scope unless the step gives its own
 *   namespace: longhorn-system   # or allNamespaces: true
 *   labelSelector: app=my-test
 * steps:
 *   - type: volumes.longhorn.io  # as kubectl spells it: plural.group, plural, short name or kind
 *     barrier: true              # nothing after it runs unless it is clean
 *   - parallel:                  # these at the same time
 *       - type: snapshots.longhorn.io
 *       - type: recurringjobs.longhorn.io
 *   - type: backups.longhorn.io
 *     namespace: other-ns
 *     fieldSelector: metadata.name!=keep-me
 *     timeout: 2m
 * }</pre>
 *
 * <p>A step takes {@code type}, {@code namespace} or {@code allNamespaces: true}, {@code labelSelector},
 * {@code fieldSelector}, {@code timeout} (default: the plan's), {@code parallelism} (concurrent deletes, fixed; by
 * default adaptive from {@value CleanupBuilder#DEFAULT_PARALLELISM}), {@code ifMissing} ({@code fail}, the default: a type the server does
 * not serve is an error; {@code skip}: the step is {@code SKIPPED}, for types an older or newer version of an
 * operator lacks) and {@code barrier}; {@code defaults} takes the same keys but {@code type} and {@code barrier}. A
 * step's own value replaces the default. A parallel group takes {@code parallel} (its steps) and {@code barrier}.
 * A namespaced type needs a namespace or {@code allNamespaces: true}: a teardown never guesses its scope.
 *
 * <p>Reading checks every key and value (selectors with the engine's parsers) and throws one
 * {@link PlanFileException} listing every problem as {@code teardown.yaml:7: steps[1].parallel[0].type: ...};
 * {@link #toPlan} resolves the types with {@link ApiDiscovery} and reports the ones the server does not serve the
 * same way, with the closest served names. Nothing is deleted when either throws. Instances are immutable.
 */
public final class PlanFile {

    /** The scope options of a step, or of {@code defaults}; {@code null} (or {@code false}) is "not given". */
    record Scope(
            String namespace,
            boolean allNamespaces,
            String labelSelector,
            String fieldSelector,
            Duration timeout,
            Integer parallelism,
            MissingPolicy ifMissing) {

        static final Scope NONE = new Scope(null, false, null, null, null, null, null);

        /** This scope, each option not given taken from {@code defaults}; namespace and allNamespaces go together. */
        Scope over(Scope defaults) {
            boolean ownNamespace = namespace != null || allNamespaces;
            return new Scope(
                    ownNamespace ? namespace : defaults.namespace,
                    ownNamespace ? allNamespaces : defaults.allNamespaces,
                    labelSelector != null ? labelSelector : defaults.labelSelector,
                    fieldSelector != null ? fieldSelector : defaults.fieldSelector,
                    timeout != null ? timeout : defaults.timeout,
                    parallelism != null ? parallelism : defaults.parallelism,
                    ifMissing != null ? ifMissing : defaults.ifMissing);
        }
    }

    /** One step: where it is in the file (for messages), its type as written, its scope with the defaults applied. */
    record Step(String field, int line, String type, Scope scope) {}

    /** One step, or a parallel group. */
    record Stage(List<Step> steps, boolean barrier) {}

    private final String source;
    private final String name;
    private final List<Stage> stages;
    private final Duration timeout;
    private final Duration verifyAfter;
    private final DryRun dryRun;

    PlanFile(String source, String name, List<Stage> stages, Duration timeout, Duration verifyAfter, DryRun dryRun) {
        this.source = source;
        this.name = name;
        this.stages = List.copyOf(stages);
        this.timeout = timeout;
        this.verifyAfter = verifyAfter;
        this.dryRun = dryRun;
    }

    /**
     * Reads and checks a plan file.
     *
     * @throws PlanFileException listing every problem, or saying why the file cannot be read
     */
    public static PlanFile read(Path file) {
        Objects.requireNonNull(file, "file must not be null");
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return PlanFileReader.read(file.toString(), reader);
        } catch (IOException e) {
            throw unreadable(file.toString(), e);
        }
    }

    /**
     * Reads and checks a plan file on the class path, e.g. {@code "/teardown.yaml"} from {@code src/test/resources}
     * or the shipped {@code LonghornPlans.FULL_PLAN_RESOURCE}.
     *
     * @throws PlanFileException listing every problem, or saying the resource is not there
     */
    public static PlanFile readResource(String resource) {
        Objects.requireNonNull(resource, "resource must not be null");
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        URL url = context == null ? null : context.getResource(path);
        if (url == null) {
            url = PlanFile.class.getClassLoader().getResource(path);
        }
        if (url == null) {
            throw new PlanFileException(
                    resource, List.of(new Problem(resource, 0, "", "no such resource on the class path")));
        }
        try (InputStream in = url.openStream();
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return PlanFileReader.read(resource, reader);
        } catch (IOException e) {
            throw unreadable(resource, e);
        }
    }

    /**
     * Checks a plan given as text; {@code source} names it in messages (a file name).
     *
     * @throws PlanFileException listing every problem
     */
    public static PlanFile parse(String source, String yaml) {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(yaml, "yaml must not be null");
        return PlanFileReader.read(source, new StringReader(yaml));
    }

    /** Where the plan was read from, as given: a path, a resource or the source passed to {@link #parse}. */
    public String source() {
        return source;
    }

    /** The plan's {@code name}, or its source when the file gives none. */
    public String name() {
        return name != null ? name : source;
    }

    /** The whole plan's deadline: its {@code timeout}, default {@value CleanupPlan#DEFAULT_TIMEOUT_SECONDS} s. */
    public Duration timeout() {
        return timeout;
    }

    /** Its {@code verifyAfter}, if given. */
    public Optional<Duration> verifyAfter() {
        return Optional.ofNullable(verifyAfter);
    }

    /** The dry run every step of {@link #toPlan} uses; default {@link DryRun#OFF}. */
    public DryRun dryRun() {
        return dryRun;
    }

    /** A copy whose plan lists only and reports {@code WOULD_DELETE} ({@code CLIENT}), or dry runs on the server. */
    public PlanFile dryRun(DryRun mode) {
        return new PlanFile(
                source, name, stages, timeout, verifyAfter, Objects.requireNonNull(mode, "dryRun must not be null"));
    }

    /** The steps' types as written in the file, in order (a parallel group's in its order). */
    public List<String> types() {
        return stages.stream().flatMap(s -> s.steps().stream()).map(Step::type).toList();
    }

    /**
     * The plan for {@code client}'s cluster: each type resolved through {@link ApiDiscovery} as kubectl resolves it
     * (its group's preferred version); sends discovery requests only.
     *
     * @throws PlanFileException     naming file, line and field of every type the server does not serve (with the
     *                               closest served names), cannot delete, or that needs a namespace
     * @throws KubeTeardownException when discovery cannot be read (unreachable server, refused credentials)
     */
    public CleanupPlan toPlan(ApiClient client) {
        Objects.requireNonNull(client, "client must not be null");
        ApiDiscovery discovery = ApiDiscovery.of(client);
        List<Problem> problems = new ArrayList<>();
        List<List<CleanupStep>> built = new ArrayList<>();
        for (Stage stage : stages) {
            List<CleanupStep> steps = new ArrayList<>();
            for (Step step : stage.steps()) {
                CleanupStep s = step(client, discovery, step, problems);
                if (s != null) {
                    steps.add(s);
                }
            }
            built.add(steps);
        }
        if (!problems.isEmpty()) {
            throw new PlanFileException(source, problems);
        }
        CleanupPlan.Builder plan = CleanupPlan.builder(client).name(name()).timeout(timeout);
        for (int i = 0; i < stages.size(); i++) {
            plan.parallel(built.get(i).toArray(CleanupStep[]::new));
            if (stages.get(i).barrier()) {
                plan.barrier();
            }
        }
        if (verifyAfter != null) {
            plan.verifyAfter(verifyAfter);
        }
        return plan.build();
    }

    /** One step's cleanup; {@code null} when it has a problem (recorded). */
    private CleanupStep step(ApiClient client, ApiDiscovery discovery, Step step, List<Problem> problems) {
        Scope scope = step.scope();
        MissingPolicy ifMissing = scope.ifMissing() != null ? scope.ifMissing() : MissingPolicy.FAIL;
        ServedType served;
        try {
            served = discovery.resolve(step.type());
        } catch (UnknownResourceTypeException e) {
            if (ifMissing == MissingPolicy.SKIP) {
                return new NotServed(step.type(), e.getMessage());
            }
            problems.add(typeProblem(step, e.getMessage()));
            return null;
        } catch (AmbiguousResourceTypeException e) {
            // an ambiguous name is a mistake in the file, whatever ifMissing says
            problems.add(typeProblem(step, e.getMessage()));
            return null;
        }
        if (!served.supports("list", "delete")) {
            problems.add(typeProblem(
                    step,
                    served.qualifiedName() + " cannot be listed and deleted one by one (the server allows "
                            + String.join(", ", served.verbs()) + ")"));
            return null;
        }
        if (served.namespaced() && scope.namespace() == null && !scope.allNamespaces()) {
            problems.add(typeProblem(
                    step,
                    served.qualifiedName() + " is namespaced: give namespace, or allNamespaces: true"
                            + " (in the step or in defaults)"));
            return null;
        }
        Cleanup.Builder cleanup = Cleanup.builder(client, served.toResourceType());
        if (scope.allNamespaces()) {
            cleanup.allNamespaces();
        } else if (scope.namespace() != null) {
            cleanup.namespace(scope.namespace());
        }
        cleanup.labelSelector(scope.labelSelector())
                .fieldSelector(scope.fieldSelector())
                .timeout(scope.timeout() != null ? scope.timeout() : timeout)
                .dryRun(dryRun)
                .ifResourceMissing(ifMissing);
        if (scope.parallelism() != null) {
            cleanup.parallelism(scope.parallelism());
        }
        return cleanup.build();
    }

    private Problem typeProblem(Step step, String message) {
        return new Problem(source, step.line(), step.field() + ".type", message);
    }

    private static PlanFileException unreadable(String source, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file" : "cannot be read: " + e;
        return new PlanFileException(source, List.of(new Problem(source, 0, "", why)), e);
    }

    @Override
    public String toString() {
        return "PlanFile[" + source + ": " + String.join(", ", types()) + "]";
    }

    /** A step with {@code ifMissing: skip} whose type the server does not serve: one {@code SKIPPED} outcome. */
    private record NotServed(String type, String why) implements CleanupStep {
        @Override
        public CleanupReport execute() {
            return new CleanupReport(
                    description(),
                    "",
                    List.of(Outcome.forScope(
                            description(), null, Outcome.Status.SKIPPED, why + " (ifMissing: skip)", 0)),
                    Duration.ZERO);
        }

        @Override
        public String description() {
            return type + " (not served)";
        }
    }
}
