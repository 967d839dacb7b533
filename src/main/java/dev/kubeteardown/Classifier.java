package dev.kubeteardown;

/**
 * Maps the final answer to a mutating request on one object to exactly one verdict. Total: every status code,
 * an empty body, a {@code Status} body and an I/O error each land somewhere.
 */
final class Classifier {

    private Classifier() {}

    /** What a mutating request's answer means for the object. */
    sealed interface Verdict permits Accepted, Final {}

    /**
     * The server took the request; the object may still be present (finalizers) until the waiter sees it go.
     *
     * @param object the object the server answered with (its metadata), or {@code null} for a {@code Status}
     */
    record Accepted(ObjectRef object) implements Verdict {}

    /** The object's outcome is decided. */
    record Final(Outcome.Status status, String detail, int httpStatus) implements Verdict {}

    /**
     * @param verb the Kubernetes verb sent ({@code delete} or {@code patch}), named in RBAC hints
     */
    static Verdict classify(Retrier.Exchange exchange, String verb, ResourceType type, ObjectRef ref) {
        return classify(exchange, verb, type, ref, false);
    }

    /**
     * @param serverDryRun whether the request carried {@code dryRun=All}: then no attempt can have deleted anything
     */
    static Verdict classify(
            Retrier.Exchange exchange, String verb, ResourceType type, ObjectRef ref, boolean serverDryRun) {
        String retried = exchange.retries().isEmpty() ? "" : " (retried after " + exchange.retries() + ")";
        if (exchange.result() == null) {
            String cause = Retrier.describe(exchange.error());
            String why = exchange.deadlineHit()
                    ? "deadline reached"
                    : exchange.attempts() + " attempt" + (exchange.attempts() == 1 ? "" : "s");
            return new Final(
                    Outcome.Status.FAILED,
                    verb + " failed without a response after " + why + ": " + cause + retried,
                    0);
        }
        KubeApi.HttpResult result = exchange.result();
        int code = result.code();
        if (result.isSuccess()) {
            return new Accepted(result.answeredObject());
        }
        String message = result.message();
        if (result.isPathNotServed()) {
            return new Final(
                    Outcome.Status.FAILED,
                    verb + " answered 404 for the path (" + message + "): nothing served " + type
                            + " at that moment (an API server starting, or its CRD deleted), so the object may still"
                            + " exist" + retried,
                    code);
        }
        if ((code == 404 || code == 409) && exchange.answerLost() && "delete".equals(verb) && !serverDryRun) {
            // an earlier DELETE got no answer and the object is gone now: that attempt most likely deleted it
            return new Final(
                    Outcome.Status.DELETED,
                    "confirmed gone (" + code + " " + reason(code) + ": " + message
                            + ") after an earlier delete whose answer was lost" + retried,
                    code);
        }
        return switch (code) {
            case 404 ->
                new Final(
                        Outcome.Status.ALREADY_GONE,
                        "already removed: " + verb + " answered 404 Not Found (" + message + ")" + retried,
                        code);
            case 409 ->
                new Final(
                        Outcome.Status.ALREADY_GONE,
                        "already removed: the UID precondition no longer matches" + " (409 Conflict: " + message
                                + "); an object re-created under the same name was left alone" + retried,
                        code);
            // the patch carries the listed UID; a real server refuses to change it on a same-name replacement
            case 422 ->
                "patch".equals(verb) && message.contains("metadata.uid")
                        ? new Final(
                                Outcome.Status.ALREADY_GONE,
                                "already removed: the object now under this name has" + " another UID (422: " + message
                                        + "); it was left alone" + retried,
                                code)
                        : new Final(Outcome.Status.FAILED, code + " " + reason(code) + ": " + message + retried, code);
            case 401 ->
                new Final(
                        Outcome.Status.FAILED,
                        "401 Unauthorized: " + message + "; not retried: the client's"
                                + " credentials were refused for '" + verb + "' " + type.qualifiedName() + " "
                                + ref.qualifiedName() + retried,
                        code);
            case 403 ->
                new Final(
                        Outcome.Status.FAILED,
                        "403 Forbidden: " + message + "; not retried: "
                                + rbacHint(verb, type, type.namespaced() ? ref.namespace() : null) + retried,
                        code);
            default -> {
                String after = exchange.deadlineHit()
                        ? " (gave up: the next retry would pass the deadline)"
                        : RetryPolicy.retryFloor(result).isPresent()
                                ? " after " + exchange.attempts() + " attempts"
                                : "";
                yield new Final(
                        Outcome.Status.FAILED, code + " " + reason(code) + after + ": " + message + retried, code);
            }
        };
    }

    /** What a 403 means, as one phrase for every verb: {@code RBAC does not let this client 'delete' backups.longhorn.io in namespace x}. */
    static String rbacHint(String verb, ResourceType type, String namespace) {
        return "RBAC does not let this client '" + verb + "' " + type.qualifiedName()
                + (namespace == null ? "" : " in namespace " + namespace);
    }

    static String reason(int code) {
        return switch (code) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP error";
        };
    }
}
