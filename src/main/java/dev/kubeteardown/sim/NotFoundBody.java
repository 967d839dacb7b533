package dev.kubeteardown.sim;

/** What an injected 404 carries, so that cleanup code can be tested against both kinds of server. */
public enum NotFoundBody {
    /** A {@code Status} JSON body with {@code reason: NotFound}, as a real API server sends. */
    STATUS,
    /** An empty body, as the plain fabric8 CRUD mock sends. */
    EMPTY
}
