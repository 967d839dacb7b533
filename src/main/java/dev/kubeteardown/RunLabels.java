package dev.kubeteardown;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Labels that mark what a test run created, so a later run can find and remove what a killed run leaked
 * (the idea of Testcontainers' session label, for Kubernetes objects). Stamp them on everything a test creates;
 * {@link StaleRunSweep} removes the objects of runs that are finished or older than a given age, and never touches
 * objects without the run label.
 *
 * <p>{@link #current()} is one run per JVM: its id comes from the system property {@value #RUN_ID_PROPERTY} when
 * set (so a CI job can name its run), otherwise it is random.
 */
public final class RunLabels {

    /** Label naming the run that created an object. */
    public static final String RUN_LABEL = "kube-teardown.dev/run";
    /** Label holding when that run started, in epoch seconds. */
    public static final String STARTED_LABEL = "kube-teardown.dev/run-started";
    /** System property that names the current run (or its environment twin, {@code KUBETEARDOWN_RUN_ID}). */
    public static final String RUN_ID_PROPERTY = "kubeteardown.run.id";

    private static final RunLabels CURRENT = new RunLabels(currentId(), Instant.now());

    private final String id;
    private final Instant started;

    private RunLabels(String id, Instant started) {
        Objects.requireNonNull(id, "run id");
        if (!KubernetesNames.isLabelValue(id)) {
            throw new IllegalArgumentException("run id must be a valid label value (at most 63 alphanumerics, '-', '_'"
                    + " or '.', starting and ending with an alphanumeric), was \"" + id + "\"");
        }
        this.id = id;
        this.started = Objects.requireNonNull(started, "started").truncatedTo(ChronoUnit.SECONDS);
    }

    /** The run of this JVM. */
    public static RunLabels current() {
        return CURRENT;
    }

    /** A named run, e.g. to rebuild the labels of a run from another process. */
    public static RunLabels of(String id, Instant started) {
        return new RunLabels(id, started);
    }

    private static String currentId() {
        String configured = System.getProperty(RUN_ID_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(environmentVariable(RUN_ID_PROPERTY));
        }
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return "run-" + HexFormat.of().formatHex(bytes);
    }

    /**
     * The environment variable twin of a {@code kubeteardown.*} property: upper case, dots to underscores, e.g.
     * {@code KUBETEARDOWN_RUN_ID} for {@value #RUN_ID_PROPERTY}.
     */
    public static String environmentVariable(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public String id() {
        return id;
    }

    public Instant started() {
        return started;
    }

    /** Both labels, to put on an object's {@code metadata.labels}. */
    public Map<String, String> labels() {
        return Map.of(RUN_LABEL, id, STARTED_LABEL, Long.toString(started.getEpochSecond()));
    }

    /** Adds both labels to a client-java object's metadata (keeping its other labels) and returns it. */
    public V1ObjectMeta stamp(V1ObjectMeta metadata) {
        Map<String, String> labels =
                metadata.getLabels() == null ? new HashMap<>() : new HashMap<>(metadata.getLabels());
        labels.putAll(labels());
        return metadata.labels(labels);
    }

    /** The label selector of this run's objects, e.g. for {@code labelSelector(...)} of a cleanup. */
    public String selector() {
        return RUN_LABEL + "=" + id;
    }

    @Override
    public String toString() {
        return id + " (started " + started + ")";
    }
}
