package dev.kubeteardown;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.event.Level;

/**
 * What happened to one object (or, for {@link Status#SKIPPED}, to a whole scope) during a cleanup run.
 *
 * @param resource          the resource type, {@code plural.group} (e.g. {@code backups.longhorn.io})
 * @param namespace         the object's namespace, {@code null} for cluster-scoped objects
 * @param name              the object's name; empty for an outcome about the whole scope
 * @param uid               the UID of the object as listed; empty for an outcome about the whole scope
 * @param status            the classification
 * @param detail            a human-readable explanation (server message, finalizers, retries)
 * @param attempts          requests sent for this object (delete and label patch attempts)
 * @param duration          time from the first request for this object to its final classification
 * @param httpStatus        the HTTP status code behind the outcome, 0 when none applies
 * @param finalizers        finalizers last seen on the object (meaningful for {@link Status#STUCK})
 * @param deletionTimestamp the deletion timestamp last seen, {@code null} when none
 */
public record Outcome(
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

    public Outcome {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(status, "status");
        name = name == null ? "" : name;
        uid = uid == null ? "" : uid;
        detail = detail == null ? "" : detail;
        duration = duration == null ? Duration.ZERO : duration;
        finalizers = finalizers == null ? List.of() : List.copyOf(finalizers);
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
                duration,
                httpStatus,
                finalizers,
                deletionTimestamp);
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
    public String toString() {
        return status + " " + resource + " "
                + (isScopeOutcome() ? "(scope" + (namespace == null ? "" : " " + namespace) + ")" : qualifiedName())
                + (detail.isEmpty() ? "" : ": " + detail);
    }
}
