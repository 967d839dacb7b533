package dev.kubeteardown.sim;

import java.time.Duration;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request failure carrying the {@code Status} body a real kube-apiserver would send. Store and handlers
 * throw it; the dispatcher turns it into the HTTP response.
 */
final class StatusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;
    private final transient ApiResource resource;
    private final String name;
    private final Duration retryAfter;
    private final String continueToken;

    private StatusException(
            int code,
            String reason,
            String message,
            ApiResource resource,
            String name,
            Duration retryAfter,
            String continueToken) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.resource = resource;
        this.name = name;
        this.retryAfter = retryAfter;
        this.continueToken = continueToken;
    }

    static StatusException notFound(ApiResource resource, String name) {
        return new StatusException(
                404, "NotFound", resource.qualifiedName() + " \"" + name + "\" not found", resource, name, null, null);
    }

    /** What a real server answers for a path it does not serve (unknown group, version or resource). */
    static StatusException notServed() {
        return new StatusException(
                404, "NotFound", "the server could not find the requested resource", null, null, null, null);
    }

    static StatusException alreadyExists(ApiResource resource, String name) {
        return new StatusException(
                409,
                "AlreadyExists",
                resource.qualifiedName() + " \"" + name + "\" already exists",
                resource,
                name,
                null,
                null);
    }

    static StatusException conflict(ApiResource resource, String name, String detail) {
        return new StatusException(
                409,
                "Conflict",
                "Operation cannot be fulfilled on " + resource.qualifiedName() + " \"" + name + "\": " + detail,
                resource,
                name,
                null,
                null);
    }

    static StatusException modified(ApiResource resource, String name) {
        return conflict(
                resource,
                name,
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    static StatusException uidPrecondition(ApiResource resource, String name, String expected, String actual) {
        return conflict(
                resource,
                name,
                "Precondition failed: UID in precondition: " + expected + ", UID in object meta: " + actual);
    }

    static StatusException resourceVersionPrecondition(
            ApiResource resource, String name, String expected, String actual) {
        return conflict(
                resource,
                name,
                "Precondition failed: ResourceVersion in precondition: " + expected
                        + ", ResourceVersion in object meta: " + actual);
    }

    static StatusException invalid(ApiResource resource, String name, String detail) {
        String kind = resource.group().isEmpty() ? resource.kind() : resource.kind() + "." + resource.group();
        return new StatusException(
                422, "Invalid", kind + " \"" + name + "\" is invalid: " + detail, resource, name, null, null);
    }

    /** The generic 422 kube-apiserver sends when a JSON patch operation (e.g. a failed test) cannot apply. */
    static StatusException patchNotApplicable(String detail) {
        return new StatusException(
                422,
                "Invalid",
                "the server rejected our request due to an error in our request: " + detail,
                null,
                null,
                null,
                null);
    }

    static StatusException badRequest(String message) {
        return new StatusException(400, "BadRequest", message, null, null, null, null);
    }

    static StatusException unsupportedMediaType() {
        return new StatusException(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - "
                        + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                        + "application/apply-patch+yaml",
                null,
                null,
                null,
                null);
    }

    static StatusException notAcceptable() {
        return new StatusException(
                406,
                "NotAcceptable",
                "only the following media types are accepted: application/json, application/yaml,"
                        + " application/vnd.kubernetes.protobuf",
                null,
                null,
                null,
                null);
    }

    static StatusException methodNotAllowed(String verb) {
        return new StatusException(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested " + "resource (" + verb + ")",
                null,
                null,
                null,
                null);
    }

    static StatusException forbidden(
            ApiResource resource, String plural, String group, String name, Verb verb, String namespace, String user) {
        String what = (group.isEmpty() ? plural : plural + "." + group) + (name == null ? "" : " \"" + name + "\"");
        String where = namespace == null ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
        String message = what + " is forbidden: User \"" + user + "\" cannot " + verb.rbacName() + " resource \""
                + plural + "\" in API group \"" + group + "\" " + where;
        return new StatusException(403, "Forbidden", message, resource, name, null, null);
    }

    static StatusException unauthorized() {
        return new StatusException(401, "Unauthorized", "Unauthorized", null, null, null, null);
    }

    /** The 410 a real server sends for a compacted continue token, with a token to carry on inconsistently. */
    static StatusException expiredContinue(String inconsistentContinue) {
        return new StatusException(
                410,
                "Expired",
                "The provided continue parameter is too old to display a "
                        + "consistent list result. You can start a new list without the continue parameter, or use the "
                        + "continue token in this response to retrieve the remainder of the results. Continuing with the "
                        + "provided token results in an inconsistent list - objects that were created, modified, or deleted "
                        + "between the time the first chunk was returned and now may show up in the list.",
                null,
                null,
                null,
                inconsistentContinue);
    }

    /** What a real server sends (as a watch ERROR event) for a resource version older than its history. */
    static StatusException expiredResourceVersion(long requested, long oldest) {
        return new StatusException(
                410, "Expired", "too old resource version: " + requested + " (" + oldest + ")", null, null, null, null);
    }

    /** An injected server-side error, with the reason and message kube-apiserver uses for that code. */
    static StatusException serverError(int code, Duration retryAfter) {
        String reason;
        String message;
        switch (code) {
            case 429 -> {
                reason = "TooManyRequests";
                message = "the server has received too many requests and has asked us to try again later";
            }
            case 503 -> {
                reason = "ServiceUnavailable";
                message = "the server is currently unable to handle the request";
            }
            case 504 -> {
                reason = "Timeout";
                message = "the server was unable to return a response in the time allotted, but may still be "
                        + "processing the request";
            }
            case 500 -> {
                reason = "InternalError";
                message = "Internal error occurred: injected fault";
            }
            default -> {
                reason = code >= 500 ? "InternalError" : "BadRequest";
                message = "injected fault (HTTP " + code + ")";
            }
        }
        return new StatusException(code, reason, message, null, null, retryAfter, null);
    }

    static StatusException internalError(String message) {
        return new StatusException(500, "InternalError", "Internal error occurred: " + message, null, null, null, null);
    }

    int code() {
        return code;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    /** The {@code Status} object exactly as kube-apiserver lays it out. */
    ObjectNode toStatus() {
        ObjectNode status = Json.object();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        ObjectNode metadata = status.putObject("metadata");
        if (continueToken != null) {
            metadata.put("continue", continueToken);
        }
        status.put("status", "Failure");
        status.put("message", getMessage());
        status.put("reason", reason);
        if (name != null || resource != null || retryAfter != null) {
            ObjectNode details = status.putObject("details");
            if (name != null) {
                details.put("name", name);
            }
            if (resource != null) {
                if (!resource.group().isEmpty()) {
                    details.put("group", resource.group());
                }
                details.put("kind", resource.plural());
            }
            if (retryAfter != null) {
                details.put("retryAfterSeconds", retryAfterSeconds());
            }
        } else if (code == 404) {
            status.putObject("details");
        }
        status.put("code", code);
        return status;
    }

    long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
