package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.RunLabels;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Cleans up what tests leave in a Kubernetes cluster, after each test and/or after all tests, the way JUnit's
 * {@code @TempDir} cleans a directory: every step runs even when the test or an earlier step failed, failures are
 * collected into one exception that lists every object left behind, a failed test can keep its objects for
 * debugging, and every run is recorded as a report entry.
 *
 * <pre>{@code
 * @RegisterExtension
 * static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> client)
 *         .afterEach(c -> BackupstoreCleanup.builder(c).build(), c -> BackupCleanup.builder(c).build());
 * }</pre>
 *
 * or declaratively, {@code @KubeTeardown(longhorn = true)} on the class with a {@code @TeardownClient} field. A
 * {@linkplain dev.kubeteardown.PlanFile plan file} is a step factory too:
 * {@code .afterEach(PlanFile.readResource("/teardown.yaml")::toPlan)} checks the file when the extension is created
 * (a bad file fails the class, naming every problem's line) and resolves its types when the step runs.
 *
 * <p><b>Steps</b> are engine {@link CleanupStep}s, given as factories ({@link StepFactory}, {@link ScopedStepFactory})
 * so the client can be created after the extension, or already built ({@link #afterEachSteps}). They run in the
 * order declared, on the test's thread. A step that throws (even {@code CleanupConfigurationException}) does not
 * stop the next; only an interrupt does.
 *
 * <p><b>Mode</b> ({@link CleanupMode}). Precedence, highest first: the configuration parameter, system property or
 * environment variable {@value #CLEANUP_MODE_PROPERTY} ({@code KUBETEARDOWN_CLEANUP_MODE}; see
 * {@code TeardownSettings} for their order) when set and not {@code DEFAULT}; the mode set in code ({@link #mode}) or in
 * {@link KubeTeardown#mode()} (when not {@code DEFAULT}); {@code ALWAYS}. The parameter wins over code on purpose:
 * it is how a laptop keeps a failed test's objects ({@code -Dkubeteardown.cleanup.mode=on_success}) while CI
 * always cleans, without editing tests. {@code ON_SUCCESS} after each test asks whether that test failed; after all
 * tests, whether the class or any of its tests failed. A test aborted by an assumption counts as not failed.
 *
 * <p><b>Failure policy</b> ({@link FailurePolicy}, default {@code FAIL}), same precedence with
 * {@value #FAILURE_POLICY_PROPERTY}. {@code FAIL} throws {@link KubeTeardownFailedException}; when the test already
 * failed, JUnit adds it to the test's exception as suppressed, so the test's own failure is what is reported
 * first. {@code ALREADY_GONE} (another actor deleted the object first, a 404) is clean and never fails a test. A
 * mistake in the test code (no client field, an invalid parameter value) always fails with
 * {@link ExtensionConfigurationException}, whatever the policy.
 *
 * <p><b>Report</b>: each run publishes a report entry {@value #REPORT_KEY} (steps, objects, counts per outcome,
 * duration, clean or not) and {@value #REPORT_KEY}{@code .steps} (one line per step); a skip publishes why.
 *
 * <p><b>Parallel execution</b>: the extension is immutable and keeps per-test state only in JUnit's
 * {@code ExtensionContext.Store}, so it is safe with {@code junit.jupiter.execution.parallel.enabled=true}. The
 * steps, however, delete what matches their scope: when tests run in parallel against one cluster, scope each
 * test's cleanup to what that test created. Either put {@link TeardownScope#labels()} on the objects and select them
 * with a {@link ScopedStepFactory}: {@code afterEach((c, scope) -> Cleanup.builder(c, type)
 * .labelSelector(scope.selector()).build())}; or give each test its own namespace
 * ({@link #namespacePerTest(String)}). Declare a {@link TeardownScope} parameter in
 * the test to get the scope. The Longhorn defaults ({@link #longhorn}) clean every backup in {@code longhorn-system}:
 * do not use them for tests that run in parallel.
 *
 * <p><b>Nested classes</b>: after-each steps run after every test below the class that registered the extension;
 * after-all steps run once, after the class that registered it (not after each {@code @Nested} class). Register
 * the extension in a {@code static} field: JUnit calls class-level callbacks only for static
 * {@code @RegisterExtension} fields, so after-all steps in an instance field would never run.
 *
 * <p><b>Namespaces</b>: {@link #namespacePerTest(String)} gives each test a namespace of its own, created before
 * {@code @BeforeEach}, and {@link #namespacePerClass(String)} one for all tests of the class, created before
 * {@code @BeforeAll}; the test reads its name from {@link TeardownScope#namespace()}. It is deleted, and awaited, as
 * the last step of the after phase (so the other steps clean what they own first), under the same mode and policy.
 */
public final class KubeTeardownExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {

    /** Overrides the cleanup mode for a run: {@code always}, {@code on_success}, {@code never} (any case). */
    public static final String CLEANUP_MODE_PROPERTY = "kubeteardown.cleanup.mode";
    /** Overrides the failure policy for a run: {@code fail} or {@code warn} (any case). */
    public static final String FAILURE_POLICY_PROPERTY = "kubeteardown.failure.policy";
    /** Fixes the run id of {@link TeardownScope#runId()} (e.g. the CI job id); a label value. Random otherwise. */
    public static final String RUN_ID_PROPERTY = RunLabels.RUN_ID_PROPERTY;
    /** The key of the report entry published by every run. */
    public static final String REPORT_KEY = "kube-teardown";

    private static final Namespace NAMESPACE = Namespace.create(KubeTeardownExtension.class);

    /** {@code null} for the instance JUnit creates for {@link KubeTeardown}: the plan comes from the annotation. */
    private final TeardownPlan plan;

    /**
     * For {@code @ExtendWith} and {@link KubeTeardown} only: the steps and settings are read from the
     * {@code @KubeTeardown} annotation of the test class. In code, start from {@link #forClient} instead.
     */
    public KubeTeardownExtension() {
        this.plan = null;
    }

    private KubeTeardownExtension(TeardownPlan plan) {
        this.plan = plan;
    }

    /** An extension without steps whose client comes from {@code client}, called when a cleanup runs. */
    public static KubeTeardownExtension forClient(Supplier<? extends ApiClient> client) {
        return new KubeTeardownExtension(TeardownPlan.of(ClientSource.supplier(client)));
    }

    /**
     * An extension without steps whose client is read from the field with this name when a cleanup runs (in the
     * test instance, else a static field of the test class or an enclosing class; superclasses included).
     */
    public static KubeTeardownExtension forClientField(String fieldName) {
        return new KubeTeardownExtension(TeardownPlan.of(ClientSource.field(fieldName)));
    }

    /** An extension without steps whose client is read from the field annotated {@link TeardownClient}. */
    public static KubeTeardownExtension forTeardownClient() {
        return new KubeTeardownExtension(TeardownPlan.of(ClientSource.annotatedField()));
    }

    /**
     * Longhorn's teardown after each test: backup volumes ({@code BackupstoreCleanup}), then the backups that remain
     * ({@code BackupCleanup}), every one in {@code longhorn-system}. Not for tests that run in parallel.
     */
    public static KubeTeardownExtension longhorn(Supplier<? extends ApiClient> client) {
        return new KubeTeardownExtension(
                TeardownPlan.of(ClientSource.supplier(client)).plus(Phase.AFTER_EACH, LonghornSteps.DEFAULTS));
    }

    /** A copy that also runs these steps after each test, after the ones already declared. */
    public KubeTeardownExtension afterEach(StepFactory... steps) {
        return plus(Phase.AFTER_EACH, factories(steps));
    }

    /** A copy that also runs these steps, which receive the test's {@link TeardownScope}, after each test. */
    public KubeTeardownExtension afterEach(ScopedStepFactory... steps) {
        return plus(Phase.AFTER_EACH, factories(steps));
    }

    /** A copy that also runs these already built steps after each test (they do not use the extension's client). */
    public KubeTeardownExtension afterEachSteps(CleanupStep... steps) {
        return plus(Phase.AFTER_EACH, built(steps));
    }

    /** Same as {@link #afterEachSteps}: {@code afterEach(BackupstoreCleanup.builder(client).build(), ...)}. */
    public KubeTeardownExtension afterEach(CleanupStep... steps) {
        return afterEachSteps(steps);
    }

    /**
     * A copy that also runs these steps once before the first test of the class that registered the extension -
     * typically a {@link dev.kubeteardown.StaleRunSweep} that removes what earlier, killed runs leaked.
     */
    public KubeTeardownExtension beforeAll(StepFactory... steps) {
        return plus(Phase.BEFORE_ALL, factories(steps));
    }

    /** A copy that also runs these already built steps once before the first test. */
    public KubeTeardownExtension beforeAllSteps(CleanupStep... steps) {
        return plus(Phase.BEFORE_ALL, built(steps));
    }

    /** Same as {@link #beforeAllSteps}. */
    public KubeTeardownExtension beforeAll(CleanupStep... steps) {
        return beforeAllSteps(steps);
    }

    /** A copy that also runs these steps once after all tests of the class, after the ones already declared. */
    public KubeTeardownExtension afterAll(StepFactory... steps) {
        return plus(Phase.AFTER_ALL, factories(steps));
    }

    /** A copy that also runs these steps, which receive the class's {@link TeardownScope}, after all tests. */
    public KubeTeardownExtension afterAll(ScopedStepFactory... steps) {
        return plus(Phase.AFTER_ALL, factories(steps));
    }

    /** A copy that also runs these already built steps after all tests. */
    public KubeTeardownExtension afterAllSteps(CleanupStep... steps) {
        return plus(Phase.AFTER_ALL, built(steps));
    }

    /** Same as {@link #afterAllSteps}. */
    public KubeTeardownExtension afterAll(CleanupStep... steps) {
        return afterAllSteps(steps);
    }

    /**
     * A copy that gives each test a namespace of its own, as {@code java-operator-sdk}'s test extension does.
     * Before {@code @BeforeEach}, it creates {@code <prefix>-<hash>} ({@link TeardownScope#uniqueName(String)}: unique
     * to the test and the run), labelled with the test's {@link TeardownScope#labels()} so a
     * {@link dev.kubeteardown.StaleRunSweep} of namespaces finds what a killed run leaked; the test gets the name from
     * {@link TeardownScope#namespace()}. After the test, after the after-each steps, a
     * {@link dev.kubeteardown.NamespaceCleanup} deletes it and waits until it is gone (at most
     * {@link CleanupBuilder#DEFAULT_TIMEOUT_SECONDS} s): one more step of the after-each phase, in its report. A
     * namespace still there at the deadline is {@code STUCK}, its detail saying why, and fails the test under
     * {@link FailurePolicy#FAIL}. Under {@link CleanupMode#ON_SUCCESS} a failed test keeps its namespace (the skip says
     * so); under {@link CleanupMode#NEVER} every namespace is kept. A namespace that cannot be created fails the test
     * with {@link ExtensionConfigurationException}, naming it and the server's answer.
     *
     * @param prefix lower-case letters, digits and '-', at most 52 characters
     * @throws IllegalStateException when a namespace per test or per class is already declared
     */
    public KubeTeardownExtension namespacePerTest(String prefix) {
        return withNamespace(NamespaceLifecycle.perTest(prefix));
    }

    /** {@link #namespacePerTest(String)}, with this deadline for deleting the namespace and waiting until it is gone. */
    public KubeTeardownExtension namespacePerTest(String prefix, Duration timeout) {
        return withNamespace(NamespaceLifecycle.perTest(prefix).withTimeout(timeout));
    }

    /**
     * A copy that creates one namespace for the tests of the class that registered the extension (its
     * {@code @Nested} classes included), before {@code @BeforeAll}, and deletes it after all of them, after the
     * after-all steps, waiting until it is gone. Otherwise as {@link #namespacePerTest(String)}: the name is unique to
     * the class and the run, every test (and {@code @BeforeAll}) gets it from {@link TeardownScope#namespace()}, and
     * under {@link CleanupMode#ON_SUCCESS} it is kept when the class or any of its tests failed. With
     * {@link #teardownOnShutdown()} it is also deleted by the shutdown hook. The client must be available before
     * {@code @BeforeAll} methods run (a supplier, or a client field set in a static initialiser).
     *
     * @param prefix lower-case letters, digits and '-', at most 52 characters
     * @throws IllegalStateException when a namespace per test or per class is already declared
     */
    public KubeTeardownExtension namespacePerClass(String prefix) {
        return withNamespace(NamespaceLifecycle.perClass(prefix));
    }

    /** {@link #namespacePerClass(String)}, with this deadline for deleting the namespace and waiting until it is gone. */
    public KubeTeardownExtension namespacePerClass(String prefix, Duration timeout) {
        return withNamespace(NamespaceLifecycle.perClass(prefix).withTimeout(timeout));
    }

    private KubeTeardownExtension withNamespace(NamespaceLifecycle lifecycle) {
        TeardownPlan current = requirePlan();
        if (current.namespace() != null) {
            throw new IllegalStateException("a namespace is already declared (" + current.namespace()
                    + "): declare one of namespacePerTest(...) and namespacePerClass(...), once");
        }
        return new KubeTeardownExtension(current.withNamespace(lifecycle));
    }

    /** A copy with this cleanup mode; {@value #CLEANUP_MODE_PROPERTY} still overrides it when set. */
    public KubeTeardownExtension mode(CleanupMode mode) {
        return new KubeTeardownExtension(requirePlan().withMode(mode));
    }

    /** A copy with this failure policy; {@value #FAILURE_POLICY_PROPERTY} still overrides it when set. */
    public KubeTeardownExtension failurePolicy(FailurePolicy policy) {
        return new KubeTeardownExtension(requirePlan().withPolicy(policy));
    }

    /**
     * A copy that also runs the after-all steps from a JVM shutdown hook if the JVM stops (Ctrl-C, SIGTERM from a CI
     * runner) while the class that registered the extension runs, so a suite stopped halfway still tears down. The
     * hook is registered before the first test and removed once the class has ended normally (after its own
     * after-all run). It runs the steps with the class's {@link TeardownScope}, unless the mode is
     * {@link CleanupMode#NEVER}; after-each steps are per test and not part of it. Off by default: a hook delays the
     * JVM's exit by up to the steps' timeouts. SIGKILL runs no hook; see {@link dev.kubeteardown.StaleRunSweep}.
     * Without after-all steps, the class fails with {@link ExtensionConfigurationException}.
     */
    public KubeTeardownExtension teardownOnShutdown() {
        return new KubeTeardownExtension(requirePlan().withOnShutdown(true));
    }

    private KubeTeardownExtension plus(Phase phase, List<DeclaredStep> steps) {
        return new KubeTeardownExtension(requirePlan().plus(phase, steps));
    }

    private TeardownPlan requirePlan() {
        if (plan == null) {
            throw new IllegalStateException("this instance is configured by @KubeTeardown; in code, start from"
                    + " KubeTeardownExtension.forClient(...), forClientField(...) or forTeardownClient()");
        }
        return plan;
    }

    private static List<DeclaredStep> factories(ScopedStepFactory[] steps) {
        Objects.requireNonNull(steps, "steps must not be null");
        return Arrays.stream(steps).map(DeclaredStep::of).toList();
    }

    private static List<DeclaredStep> built(CleanupStep[] steps) {
        Objects.requireNonNull(steps, "steps must not be null");
        return Arrays.stream(steps).map(DeclaredStep::of).toList();
    }

    // ---- JUnit callbacks

    /**
     * Notes which class owns the after-all steps, so a {@code @Nested} class does not run them again; in that class,
     * runs the before-all steps and creates the namespace per class.
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        if (plan == null) {
            TeardownPlan annotated = AnnotatedPlan.of(context); // fail early, once per class, when it is missing
            if (AnnotatedPlan.isAnnotated(context)) {
                createNamespace(context, annotated, true);
            }
            return;
        }
        ExtensionContext.Store store = context.getStore(ownerNamespace());
        if (store.get("owner") == null) {
            store.put("owner", context.getUniqueId());
            guardShutdown(context, store);
            runPhase(context, plan(context), Phase.BEFORE_ALL, false);
            createNamespace(context, plan, true);
        }
    }

    /** Creates the test's namespace, when one per test is declared. */
    @Override
    public void beforeEach(ExtensionContext context) {
        createNamespace(context, plan(context), false);
    }

    /** Runs the after-each steps (unless the mode says otherwise) and records a failed test for after-all. */
    @Override
    public void afterEach(ExtensionContext context) {
        boolean failed = FailureTracker.failed(context.getExecutionException());
        try {
            runPhase(context, plan(context), Phase.AFTER_EACH, failed);
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        } finally {
            if (failed) {
                FailureTracker.markAncestors(context);
            }
        }
    }

    /** Runs the after-all steps in the class that owns them. */
    @Override
    public void afterAll(ExtensionContext context) {
        boolean failed = FailureTracker.selfOrChildFailed(context);
        boolean owner = ownsAfterAll(context);
        try {
            if (owner) {
                runPhase(context, plan(context), Phase.AFTER_ALL, failed);
            }
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        } finally {
            if (owner && plan != null) {
                // the class ended normally: its own after-all run replaces the hook (JUnit's store would close it
                // too, but only later, and only while its AutoCloseable support is enabled)
                ShutdownGuard guard = context.getStore(ownerNamespace()).remove("shutdown", ShutdownGuard.class);
                if (guard != null) {
                    guard.close();
                }
            }
            if (failed) {
                FailureTracker.markAncestors(context);
            }
        }
    }

    /** Supports {@link TeardownScope} parameters; when several instances are registered, the first one asked. */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (parameterContext.getParameter().getType() != TeardownScope.class) {
            return false;
        }
        Object claimedBy = extensionContext
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent("scope-resolver@" + extensionContext.getUniqueId(), key -> this);
        return claimedBy == this;
    }

    /** The scope of the current test, or of the class in {@code @BeforeAll}/{@code @AfterAll}. */
    @Override
    public TeardownScope resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return TeardownScope.of(extensionContext);
    }

    // ---- one phase

    /** Registers the after-all steps for JVM shutdown when {@link #teardownOnShutdown()} asked for it. */
    private void guardShutdown(ExtensionContext context, ExtensionContext.Store store) {
        if (!plan.onShutdown()) {
            return;
        }
        List<DeclaredStep> steps = new ArrayList<>(plan.steps(Phase.AFTER_ALL));
        TeardownScope scope = TeardownScope.of(context);
        NamespaceLifecycle namespace = plan.namespace();
        if (namespace != null && namespace.perClass()) {
            // the name is known before the namespace is created; deleting one that was never created is clean
            String name = namespace.nameFor(scope);
            scope = scope.withNamespace(name);
            steps.add(namespace.deletion(name));
        }
        if (steps.isEmpty()) {
            throw new ExtensionConfigurationException("teardownOnShutdown() runs the after-all steps at JVM shutdown,"
                    + " but none is declared: add them with afterAll(...)");
        }
        TeardownSettings settings = TeardownSettings.resolve(context, plan.mode(), plan.policy(), plan.declaredBy());
        String target = TeardownReporter.target(context, Phase.AFTER_ALL);
        if (settings.mode() == CleanupMode.NEVER) {
            TeardownReporter.LOG.info("not registering the shutdown teardown {}: CleanupMode.NEVER", target);
            return;
        }
        store.put("shutdown", ShutdownGuard.register(steps, () -> plan.client().resolve(context), scope, target));
    }

    private static void createNamespace(ExtensionContext context, TeardownPlan plan, boolean classLevel) {
        NamespaceLifecycle namespace = plan.namespace();
        if (namespace != null && namespace.perClass() == classLevel) {
            namespace.create(
                    context,
                    plan.client(),
                    TeardownReporter.target(context, classLevel ? Phase.AFTER_ALL : Phase.AFTER_EACH));
        }
    }

    /** The declared steps of a phase, then the deletion of the namespace this context created, if any. */
    private static List<DeclaredStep> steps(ExtensionContext context, TeardownPlan plan, Phase phase) {
        List<DeclaredStep> steps = plan.steps(phase);
        NamespaceLifecycle namespace = plan.namespace();
        if (namespace == null || phase == Phase.BEFORE_ALL || namespace.perClass() != (phase == Phase.AFTER_ALL)) {
            return steps;
        }
        String created = NamespaceLifecycle.createdFor(context);
        if (created == null) { // not created (its creation failed), or created for an enclosing class
            return steps;
        }
        List<DeclaredStep> all = new ArrayList<>(steps);
        all.add(namespace.deletion(created));
        return all;
    }

    private void runPhase(ExtensionContext context, TeardownPlan plan, Phase phase, boolean failed) {
        List<DeclaredStep> steps = steps(context, plan, phase);
        if (steps.isEmpty()) {
            return;
        }
        TeardownSettings settings = TeardownSettings.resolve(context, plan.mode(), plan.policy(), plan.declaredBy());
        TeardownScope scope = TeardownScope.of(context);
        String target = TeardownReporter.target(context, phase);
        if (settings.mode() == CleanupMode.NEVER || settings.mode() == CleanupMode.ON_SUCCESS && failed) {
            TeardownReporter.skipped(context, phase, describe(steps), settings, target, scope);
            return;
        }
        TeardownResult result =
                new TeardownRun(phase, steps, () -> plan.client().resolve(context), scope).execute();
        TeardownReporter.ran(context, result, settings, target);
        if (!result.isClean() && settings.policy() == FailurePolicy.FAIL) {
            throw result.toException(target);
        }
    }

    /**
     * What a skip keeps, from the declarations alone: a skipped cleanup must not call the client supplier or a
     * step factory, which may connect to a cluster, fail, or have side effects the mode asked to avoid.
     */
    private static List<String> describe(List<DeclaredStep> steps) {
        return steps.stream().map(DeclaredStep::describe).toList();
    }

    private Namespace ownerNamespace() {
        return Namespace.create(KubeTeardownExtension.class, "after-all-owner", this);
    }

    private boolean ownsAfterAll(ExtensionContext context) {
        if (plan == null) {
            return AnnotatedPlan.isAnnotated(context);
        }
        return context.getUniqueId().equals(context.getStore(ownerNamespace()).get("owner", String.class));
    }

    private TeardownPlan plan(ExtensionContext context) {
        return plan != null ? plan : AnnotatedPlan.of(context);
    }

    @Override
    public String toString() {
        return "KubeTeardownExtension[" + (plan == null ? "from @KubeTeardown" : plan) + "]";
    }
}
