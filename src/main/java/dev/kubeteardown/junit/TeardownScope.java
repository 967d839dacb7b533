package dev.kubeteardown.junit;

import dev.kubeteardown.KubernetesNames;
import dev.kubeteardown.RunLabels;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A label (and names) unique to one test, so tests running in parallel against one cluster each clean up only what
 * they created. The test puts {@link #labels()} on what it creates; a {@link ScopedStepFactory} limits the cleanup
 * to {@link #selector()}. The run label lets a later job find what a killed run leaked, as Testcontainers does.
 *
 * <p>Inject it as a parameter of a test, {@code @BeforeEach} or {@code @AfterEach} method (the test's scope) or of a
 * {@code @BeforeAll}/{@code @AfterAll} method (the class's scope, which is also what after-all steps receive). The
 * value is derived from the run id and JUnit's unique id, so it is the same wherever it is asked for in one test,
 * differs between tests (parameterized invocations included) and between runs.
 */
public final class TeardownScope {

    /** The per-test label key. */
    public static final String TEST_LABEL = "kube-teardown.dev/test";
    /** The per-run label key; its value is the run id (see {@link RunLabels}). */
    public static final String RUN_LABEL = RunLabels.RUN_LABEL;

    static final int MAX_LABEL_VALUE = KubernetesNames.MAX_LABEL_LENGTH;
    private static final Namespace NAMESPACE = Namespace.create(KubeTeardownExtension.class, "scope");
    private static final int HASH_CHARS = 10;

    private final String runId;
    private final String uniqueId;
    private final String labelValue;
    private final String namespace;

    private TeardownScope(String runId, String uniqueId, String labelValue, String namespace) {
        this.runId = runId;
        this.uniqueId = uniqueId;
        this.labelValue = labelValue;
        this.namespace = namespace;
    }

    /** The scope of the test or container of this context; the run id is kept in the root context's store. */
    static TeardownScope of(ExtensionContext context) {
        String runId = context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent("run-id", key -> TeardownSettings.runId(context), String.class);
        String readable = context.getTestMethod()
                .map(Method::getName)
                .or(() -> context.getTestClass().map(Class::getSimpleName))
                .orElse(context.getDisplayName());
        return of(runId, context.getUniqueId(), readable).withNamespace(NamespaceLifecycle.lookUp(context));
    }

    /**
     * The scope of one test or container.
     *
     * @param runId    the run id, a valid label value
     * @param uniqueId JUnit's unique id of the test or container
     * @param readable a human hint for the label value (the method or class name); sanitised and shortened
     */
    static TeardownScope of(String runId, String uniqueId, String readable) {
        requireLabelValue("run id", runId);
        Objects.requireNonNull(uniqueId, "uniqueId");
        String hash = hash(runId + '\n' + uniqueId);
        String hint = sanitise(readable, MAX_LABEL_VALUE - HASH_CHARS - 1);
        return new TeardownScope(runId, uniqueId, hint.isEmpty() ? hash : hint + "-" + hash, null);
    }

    /** This scope with the namespace created for it (or for its class); {@code null} for none. */
    TeardownScope withNamespace(String name) {
        return new TeardownScope(runId, uniqueId, labelValue, name);
    }

    /** The label key, {@value #TEST_LABEL}. */
    public String labelKey() {
        return TEST_LABEL;
    }

    /** The label value: a readable hint (method or class name) and a hash of the run id and JUnit's unique id. */
    public String labelValue() {
        return labelValue;
    }

    /** {@code kube-teardown.dev/test=<value>}: the label selector for a cleanup step limited to this test. */
    public String selector() {
        return TEST_LABEL + "=" + labelValue;
    }

    /**
     * The labels to put on what the test creates: the test label and the run labels ({@link RunLabels}: run id and
     * start time), so a {@link dev.kubeteardown.StaleRunSweep} can find what a killed run leaked.
     */
    public Map<String, String> labels() {
        Map<String, String> labels =
                new HashMap<>(RunLabels.of(runId, RunLabels.current().started()).labels());
        labels.put(TEST_LABEL, labelValue);
        return Map.copyOf(labels);
    }

    /** The run id, shared by every test of one run ({@value KubeTeardownExtension#RUN_ID_PROPERTY}, else random). */
    public String runId() {
        return runId;
    }

    /** {@code kube-teardown.dev/run=<run id>}: selects what the whole run created. */
    public String runSelector() {
        return RUN_LABEL + "=" + runId;
    }

    /** JUnit's unique id of the test or container this scope belongs to. */
    public String uniqueId() {
        return uniqueId;
    }

    /**
     * A DNS-label name unique to this scope, {@code <prefix>-<hash>}, for a per-test namespace or a per-test volume
     * (whose name Longhorn copies into the {@code backup-volume} label of its backups).
     *
     * @param prefix lower-case letters, digits and '-', at most 52 characters
     */
    public String uniqueName(String prefix) {
        Objects.requireNonNull(prefix, "prefix must not be null");
        if (prefix.length() > MAX_LABEL_VALUE - HASH_CHARS - 1 || !KubernetesNames.isDnsLabel(prefix)) {
            throw new IllegalArgumentException("prefix must be a lower-case DNS label of at most "
                    + (MAX_LABEL_VALUE - HASH_CHARS - 1) + " characters, was \"" + prefix + "\"");
        }
        return prefix + "-" + hash(runId + '\n' + uniqueId);
    }

    /**
     * The namespace the extension created for this test ({@link KubeTeardownExtension#namespacePerTest}) or for its
     * class ({@link KubeTeardownExtension#namespacePerClass}): it exists from before {@code @BeforeEach} (or
     * {@code @BeforeAll}) until after the after-each (or after-all) steps, carries {@link #labels()}, and is then
     * deleted, with a wait until it is gone.
     *
     * @throws IllegalStateException when no namespace was declared for this scope (e.g. the class's scope, in
     *                               {@code @BeforeAll}, with a namespace per test)
     */
    public String namespace() {
        if (namespace == null) {
            throw new IllegalStateException("no namespace for " + uniqueId + ": declare namespacePerTest(prefix) or"
                    + " namespacePerClass(prefix) on the KubeTeardownExtension (a class's scope has a namespace"
                    + " only per class)");
        }
        return namespace;
    }

    static void requireLabelValue(String what, String value) {
        if (!KubernetesNames.isLabelValue(value)) {
            throw new IllegalArgumentException(what + " must be a label value (at most 63 of [A-Za-z0-9-_.],"
                    + " starting and ending alphanumeric), was \"" + value + "\"");
        }
    }

    private static String sanitise(String readable, int max) {
        String s = readable == null ? "" : readable.replaceAll("[^A-Za-z0-9_.-]+", "-");
        if (s.length() > max) {
            s = s.substring(0, max);
        }
        return s.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TeardownScope other && other.labelValue.equals(labelValue) && other.runId.equals(runId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labelValue, runId);
    }

    @Override
    public String toString() {
        return selector() + " (" + uniqueId + ")";
    }
}
