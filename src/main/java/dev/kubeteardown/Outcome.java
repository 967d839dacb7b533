package dev.kubeteardown;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.event.Level;

/**
 * What happened to one object (or, for {@link Status#SKIPPED}, to a whole scope) during a cleanup run. An immutable
 * value with record-style accessors, {@code equals} and {@code hashCode} over all of them.
 *
 * <p>A run of 100,000 objects holds 100,000 outcomes, so an outcome is kept small: strings that many outcomes share
 * (resource, namespace, detail, deletion timestamp) are shared instances within a run, the object's name inside a
 * detail is not stored twice, and the duration is kept as nanoseconds. A clean outcome then costs little more than
 * its name and UID.
 */
public final class Outcome {

    /** Stands for the object's name inside a stored detail whose {@code namedDetail} is set. */
    private static final char NAME = '\u0000';

    private final String resource;
    private final String namespace;
    private final String name;
    private final String uid;
    private final Status status;
    private final String storedDetail;
    private final boolean namedDetail;
    private final int attempts;
    private final int httpStatus;
    private final long durationNanos;
    private final List<String> finalizers;
    private final String deletionTimestamp;

    /** The classification of an outcome; every object in scope gets exactly one. */
    public enum Status {
        /** Deleted by this run and confirmed gone (by UID). */
        DELETED(false, Level.DEBUG),
        /** Already removed by someone else (404, or a UID precondition that no longer matches). */
        ALREADY_GONE(false, Level.DEBUG),
        /** Still present at the deadline, usually held by finalizers (named in the detail). */
        STUCK(true, Level.WARN),
        /** Could not be deleted: the detail carries the HTTP status and the server's message. */
        FAILED(true, Level.ERROR),
        /** Not attempted on purpose (resource type not served, namespace missing, cleanup mode). */
        SKIPPED(false, Level.WARN),
        /** Dry run: would have been deleted; no mutating request was sent. */
        WOULD_DELETE(false, Level.DEBUG);

        private final boolean problem;
        private final Level severity;

        Status(boolean problem, Level severity) {
            this.problem = problem;
            this.severity = severity;
        }

        /** Whether this status makes a report not clean. */
        public boolean isProblem() {
            return problem;
        }

        /** The level each outcome with this status is logged at as it is decided. */
        Level severity() {
            return severity;
        }
    }

    /**
     * @param resource          the resource type, {@code plural.group} (e.g. {@code backups.longhorn.io})
     * @param namespace         the object's namespace, {@code null} for cluster-scoped objects
     * @param name              the object's name; empty for an outcome about the whole scope
     * @param uid               the UID of the object as listed; empty for an outcome about the whole scope
     * @param status            the classification
     * @param detail            a human-readable explanation (server message, finalizers, retries)
     * @param attempts          requests sent for this object (delete and label patch attempts)
     * @param duration          time from the first request for this object to its final classification (kept to
     *                          the nanosecond, up to 292 years)
     * @param httpStatus        the HTTP status code behind the outcome, 0 when none applies
     * @param finalizers        finalizers last seen on the object (meaningful for {@link Status#STUCK})
     * @param deletionTimestamp the deletion timestamp last seen, {@code null} when none
     */
    public Outcome(
            String resource,
            String namespace,
            String name,
            String uid,
            Status status,
            String detail,
            int attempts,
            Duration duration,
            int httpStatus,
            List<String> finalizers,
            String deletionTimestamp) {
        this(
                resource,
                namespace,
                name,
                uid,
                status,
                detail,
                attempts,
                duration == null ? 0 : saturatedNanos(duration),
                httpStatus,
                finalizers == null ? List.of() : List.copyOf(finalizers),
                deletionTimestamp,
                UnaryOperator.identity());
    }

    /**
     * For the run's ledger: {@code share} returns one instance for equal strings (namespace, deletion timestamp and
     * detail as stored), so outcomes that differ only in name and UID share everything else.
     *
     * @param finalizers an immutable list
     */
    Outcome(
            String resource,
            String namespace,
            String name,
            String uid,
            Status status,
            String detail,
            int attempts,
            long durationNanos,
            int httpStatus,
            List<String> finalizers,
            String deletionTimestamp,
            UnaryOperator<String> share) {
        this.resource = Objects.requireNonNull(resource, "resource");
        this.status = Objects.requireNonNull(status, "status");
        this.namespace = namespace == null ? null : share.apply(namespace);
        this.name = name == null ? "" : name;
        this.uid = uid == null ? "" : uid;
        String text = detail == null ? "" : detail;
        String quotedName = '"' + this.name + '"';
        // the API server's messages quote the object's name: keep it once, in name, not again in each detail
        this.namedDetail = !this.name.isEmpty() && text.indexOf(NAME) < 0 && text.contains(quotedName);
        this.storedDetail = share.apply(namedDetail ? text.replace(quotedName, "\"" + NAME + '"') : text);
        this.attempts = attempts;
        this.durationNanos = durationNanos;
        this.httpStatus = httpStatus;
        this.finalizers = Objects.requireNonNull(finalizers, "finalizers");
        this.deletionTimestamp = deletionTimestamp == null ? null : share.apply(deletionTimestamp);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The resource type, {@code plural.group} (e.g. {@code backups.longhorn.io}). */
    public String resource() {
        return resource;
    }

    /** The object's namespace, {@code null} for cluster-scoped objects. */
    public String namespace() {
        return namespace;
    }

    /** The object's name; empty for an outcome about the whole scope. */
    public String name() {
        return name;
    }

    /** The UID of the object as listed; empty for an outcome about the whole scope. */
    public String uid() {
        return uid;
    }

    /** The classification. */
    public Status status() {
        return status;
    }

    /** A human-readable explanation (server message, finalizers, retries). */
    public String detail() {
        return namedDetail ? storedDetail.replace(String.valueOf(NAME), name) : storedDetail;
    }

    /** The detail as kept, the object's name as a placeholder when {@code namedDetail} is set. */
    // for testing
    String storedDetail() {
        return storedDetail;
    }

    /** Requests sent for this object (delete and label patch attempts). */
    public int attempts() {
        return attempts;
    }

    /** Time from the first request for this object to its final classification. */
    public Duration duration() {
        return Duration.ofNanos(durationNanos);
    }

    /** The HTTP status code behind the outcome, 0 when none applies. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Finalizers last seen on the object (meaningful for {@link Status#STUCK}). */
    public List<String> finalizers() {
        return finalizers;
    }

    /** The deletion timestamp last seen, {@code null} when none. */
    public String deletionTimestamp() {
        return deletionTimestamp;
    }

    /**
     * An outcome about a whole scope rather than one object (see {@link #isScopeOutcome()}), such as a resource type
     * that is not served or a step that could not run.
     */
    public static Outcome forScope(String resource, String namespace, Status status, String detail, int httpStatus) {
        return new Outcome(resource, namespace, "", "", status, detail, 0, Duration.ZERO, httpStatus, List.of(), null);
    }

    /** The same object with another status and detail; everything else (attempts, timing, finalizers) is kept. */
    public Outcome withStatus(Status newStatus, String newDetail) {
        return new Outcome(
                resource,
                namespace,
                name,
                uid,
                newStatus,
                newDetail,
                attempts,
                durationNanos,
                httpStatus,
                finalizers,
                deletionTimestamp,
                UnaryOperator.identity());
    }

    /** {@code namespace/name}, or only the name for cluster-scoped objects. */
    public String qualifiedName() {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** Whether this outcome is about a whole scope (for example a resource type that is not served). */
    public boolean isScopeOutcome() {
        return name.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Outcome o
                && resource.equals(o.resource)
                && Objects.equals(namespace, o.namespace)
                && name.equals(o.name)
                && uid.equals(o.uid)
                && status == o.status
                && detail().equals(o.detail())
                && attempts == o.attempts
                && durationNanos == o.durationNanos
                && httpStatus == o.httpStatus
                && finalizers.equals(o.finalizers)
                && Objects.equals(deletionTimestamp, o.deletionTimestamp);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                resource,
                namespace,
                name,
                uid,
                status,
                detail(),
                attempts,
                durationNanos,
                httpStatus,
                finalizers,
                deletionTimestamp);
    }

    @Override
    public String toString() {
        return status + " " + resource + " "
                + (isScopeOutcome() ? "(scope" + (namespace == null ? "" : " " + namespace) + ")" : qualifiedName())
                + (storedDetail.isEmpty() ? "" : ": " + detail());
    }
}
