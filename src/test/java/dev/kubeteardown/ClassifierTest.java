package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Classification is total: every answer to a delete lands in exactly one verdict. */
class ClassifierTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final ObjectRef REF = new ObjectRef("longhorn-system", "backup-1", "uid-1", "7", List.of(), null);

    static Classifier.Verdict classify(int code, String body) {
        return Classifier.classify(
                new Retrier.Exchange(new KubeApi.HttpResult(code, body, null), null, 1, "", false, false),
                "delete",
                BACKUPS,
                REF);
    }

    static Classifier.Final fin(Classifier.Verdict v) {
        return assertInstanceOf(Classifier.Final.class, v);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 202})
    void acceptedDeleteIsWaitedFor(int code) {
        assertInstanceOf(Classifier.Accepted.class, classify(code, "{\"kind\":\"Status\",\"status\":\"Success\"}"));
    }

    @Test
    @DisplayName("404 with an empty body (the mock) is ALREADY_GONE")
    void notFoundEmptyBody() {
        Classifier.Final f = fin(classify(404, ""));
        assertEquals(Outcome.Status.ALREADY_GONE, f.status());
        assertTrue(f.detail().contains("empty response body"), f.detail());
    }

    @Test
    @DisplayName("404 with a Status body (a real server) is ALREADY_GONE with the server's message")
    void notFoundStatusBody() {
        Classifier.Final f = fin(classify(
                404,
                "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404,"
                        + "\"message\":\"backups.longhorn.io \\\"backup-1\\\" not found\"}"));
        assertEquals(Outcome.Status.ALREADY_GONE, f.status());
        assertTrue(f.detail().contains("backups.longhorn.io \"backup-1\" not found"), f.detail());
    }

    @Test
    @DisplayName("404 with a plain-text body (nothing serves the path: a restarting server) is FAILED, never gone")
    void notFoundForThePathIsFailed() {
        Classifier.Final f = fin(classify(404, "404 page not found\n"));
        assertEquals(Outcome.Status.FAILED, f.status());
        assertTrue(f.detail().contains("404 page not found"), f.detail());
        assertTrue(f.detail().contains("may still exist"), f.detail());
    }

    @Test
    @DisplayName("a path 404 after an answer was lost is still FAILED: it says nothing about the object")
    void notFoundForThePathAfterLostAnswerIsFailed() {
        Classifier.Final f = fin(Classifier.classify(
                new Retrier.Exchange(
                        new KubeApi.HttpResult(404, "404 page not found", null),
                        null,
                        2,
                        "request timed out",
                        false,
                        true),
                "delete",
                BACKUPS,
                REF));
        assertEquals(Outcome.Status.FAILED, f.status());
    }

    @Test
    @DisplayName("409 from the UID precondition is ALREADY_GONE: the listed object is gone, its namesake left alone")
    void conflictFromPrecondition() {
        Classifier.Final f = fin(classify(
                409, "{\"message\":\"Precondition failed: UID in precondition: uid-1, UID in object meta: uid-2\"}"));
        assertEquals(Outcome.Status.ALREADY_GONE, f.status());
        assertTrue(f.detail().contains("left alone"), f.detail());
    }

    @Test
    @DisplayName("404 after an earlier attempt whose answer was lost: that attempt deleted it, DELETED")
    void notFoundAfterLostAnswerIsDeleted() {
        Classifier.Final f = fin(Classifier.classify(
                new Retrier.Exchange(new KubeApi.HttpResult(404, "", null), null, 2, "request timed out", false, true),
                "delete",
                BACKUPS,
                REF));
        assertEquals(Outcome.Status.DELETED, f.status());
        assertTrue(f.detail().contains("after an earlier delete whose answer was lost"), f.detail());
    }

    @Test
    void forbiddenNamesVerbResourceAndNamespace() {
        Classifier.Final f = fin(classify(403, "{\"message\":\"denied\"}"));
        assertEquals(Outcome.Status.FAILED, f.status());
        assertEquals(403, f.httpStatus());
        assertEquals(
                "403 Forbidden: denied; not retried: RBAC does not let this client 'delete' backups.longhorn.io"
                        + " in namespace longhorn-system",
                f.detail());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 405, 422, 500, 503})
    void otherErrorsAreFailedWithCode(int code) {
        Classifier.Final f = fin(classify(code, "{\"message\":\"boom\"}"));
        assertEquals(Outcome.Status.FAILED, f.status());
        assertEquals(code, f.httpStatus());
        assertTrue(f.detail().startsWith(Integer.toString(code)), f.detail());
        assertTrue(f.detail().contains("boom"), f.detail());
    }

    @Test
    void ioErrorWithoutResponseIsFailed() {
        Classifier.Final f = fin(Classifier.classify(
                new Retrier.Exchange(null, new ConnectException("Connection refused"), 6, "", false, false),
                "delete",
                BACKUPS,
                REF));
        assertEquals(Outcome.Status.FAILED, f.status());
        assertEquals(0, f.httpStatus());
        assertTrue(f.detail().contains("ConnectException: Connection refused"), f.detail());
        assertTrue(f.detail().contains("6 attempts"), f.detail());
    }

    @Test
    @DisplayName("retry rules: 429/500/502/503/504 and I/O retried, Retry-After is the floor, 401/403/404/409 final")
    void retryRules() {
        for (int code : new int[] {429, 500, 502, 503, 504}) {
            assertTrue(
                    RetryPolicy.retryFloor(new KubeApi.HttpResult(code, "", null))
                            .isPresent(),
                    "retry " + code);
        }
        for (int code : new int[] {200, 400, 401, 403, 404, 409, 410, 422}) {
            assertEquals(
                    Optional.empty(), RetryPolicy.retryFloor(new KubeApi.HttpResult(code, "", null)), "final " + code);
        }
        assertEquals(Optional.of(Duration.ofSeconds(7)), RetryPolicy.retryFloor(new KubeApi.HttpResult(429, "", "7")));
        assertEquals(Duration.ZERO, RetryPolicy.retryAfter("soon"));
        assertTrue(RetryPolicy.isRetryable(new IOException("reset")));
        assertTrue(!RetryPolicy.isRetryable(new SSLPeerUnverifiedException("bad cert")));
    }
}
