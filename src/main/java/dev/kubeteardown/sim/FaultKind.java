package dev.kubeteardown.sim;

/** A kind of misbehaviour the simulator injected, as counted by {@link LonghornSimulator#faultsInjected()}. */
public enum FaultKind {
    /** A fixed delay before the response. */
    LATENCY,
    /** A delay long enough to exceed a client's read timeout; the request itself was processed. */
    SLOW_RESPONSE,
    /** An error {@code Status} (5xx or 429) instead of processing the request. */
    ERROR_STATUS,
    /** The connection closed without any response; the request was not processed. */
    DISCONNECT,
    /** The object was removed as if by a concurrent actor, then the request was answered 404. */
    NOT_FOUND_RACE,
    /** The object was replaced by a same-name object with a new UID before the request was processed. */
    RECREATE_RACE,
    /** A 403 {@code Forbidden} Status, as RBAC would answer. */
    FORBIDDEN,
    /** A 401 {@code Unauthorized} Status. */
    UNAUTHORIZED,
    /** A 410 {@code Expired} Status for a list {@code continue} token. */
    EXPIRED_CONTINUE
}
