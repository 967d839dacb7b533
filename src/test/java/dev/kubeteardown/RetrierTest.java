package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retrier alone, on a virtual clock: which answers are retried, how long it sleeps between attempts (through
 * the {@link Sleeper}, never the wall clock), and where the attempt limit and the deadline stop it.
 */
@Timeout(60)
class RetrierTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String PROBE = "/apis/longhorn.io/v1beta2/namespaces/test-ns/backups/backup-1";
    static final ObjectRef REF = new ObjectRef("test-ns", "backup-1", "uid-1", "1", List.of(), null);

    MockCluster cluster;
    VirtualTime time;
    final Deque<Supplier<MockResponse>> answers = new ArrayDeque<>();

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        time = new VirtualTime();
        // the scripted answers in order, then 200
        cluster.intercept((r, c) -> {
            if (!r.getMethod().equals("GET") || !Wire.path(r.getPath()).equals(PROBE)) {
                return null;
            }
            synchronized (answers) {
                Supplier<MockResponse> next = answers.poll();
                return next != null ? next.get() : MockCluster.status(200, "", "ok");
            }
        });
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** The server answers these, in order, then 200. */
    @SafeVarargs
    final void answer(Supplier<MockResponse>... inLine) {
        synchronized (answers) {
            answers.addAll(List.of(inLine));
        }
    }

    /** Answers {@code code} with a Status body and, unless {@code null}, a Retry-After header. */
    static Supplier<MockResponse> status(int code, String retryAfter) {
        return () -> {
            MockResponse response = MockCluster.status(code, Classifier.reason(code), "answer " + code);
            return retryAfter == null ? response : response.setHeader("Retry-After", retryAfter);
        };
    }

    Cleanup.Builder spec(Backoff backoff) {
        return Cleanup.builder(cluster.client(), BACKUPS)
                .namespace("test-ns")
                .timeout(Duration.ofSeconds(60))
                .backoff(backoff)
                .sleeper(time)
                .ticker(time);
    }

    /** Doubling from {@code initialMillis} up to 5 s, no jitter (so sleeps are exact). */
    static Backoff backoff(long initialMillis, int attempts) {
        return new Backoff(Duration.ofMillis(initialMillis), Duration.ofSeconds(5), 0, attempts);
    }

    Retrier.Exchange send(Cleanup.Builder builder) throws InterruptedException {
        return send(builder, cluster.client());
    }

    Retrier.Exchange send(Cleanup.Builder builder, ApiClient client) throws InterruptedException {
        Stages stages = new Stages(client, builder.spec());
        return stages.retrier.send("get backup-1", () -> stages.api.get(PROBE, stages.deadline), stages.deadline);
    }

    long requestsSent() {
        return cluster.count("GET", PROBE);
    }

    @Test
    @DisplayName("retries sleep through the Sleeper with exponential backoff until an answer is final")
    void retriesSleepWithExponentialBackoff() throws Exception {
        answer(status(500, null), status(503, null), status(502, null));

        Retrier.Exchange exchange = send(spec(backoff(100, 6)));

        assertEquals(200, exchange.code());
        assertEquals(4, exchange.attempts());
        assertEquals(4, requestsSent());
        assertEquals(VirtualTime.millis(100, 200, 400), time.sleeps());
        assertEquals("500, 503, 502", exchange.retries(), "why earlier attempts were repeated, for the outcome");
    }

    @Test
    @DisplayName("the backoff doubles up to its maximum and stays there")
    void backoffIsCappedAtItsMaximum() throws Exception {
        answer(status(500, null), status(500, null), status(500, null), status(500, null), status(500, null));

        send(spec(new Backoff(Duration.ofMillis(100), Duration.ofMillis(300), 0, 6)));

        assertEquals(VirtualTime.millis(100, 200, 300, 300, 300), time.sleeps());
    }

    @Test
    @DisplayName("a Retry-After longer than the backoff sets the delay: it is a floor")
    void retryAfterLongerThanTheBackoffSetsTheDelay() throws Exception {
        answer(status(429, "2"), status(429, "1"));

        Retrier.Exchange exchange = send(spec(backoff(100, 6)));

        assertEquals(200, exchange.code());
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(1)), time.sleeps());
    }

    @Test
    @DisplayName("a backoff longer than Retry-After sets the delay: Retry-After is a floor, not the delay")
    void backoffLongerThanRetryAfterSetsTheDelay() throws Exception {
        answer(status(503, "1"), status(503, "1"));

        send(spec(backoff(1500, 6)));

        assertEquals(VirtualTime.millis(1500, 3000), time.sleeps());
    }

    @Test
    @DisplayName("no retry that would pass the deadline: the last answer is reported as \"gave up\"")
    void deadlineCapsRetries() throws Exception {
        answer(status(503, null), status(503, null), status(503, null), status(503, null));

        Retrier.Exchange exchange = send(spec(backoff(400, 6)).timeout(Duration.ofSeconds(1)));

        // 400 ms fits in the 1 s left; 800 ms would not fit in the 600 ms then left
        assertEquals(2, exchange.attempts());
        assertEquals(2, requestsSent());
        assertEquals(VirtualTime.millis(400), time.sleeps());
        assertTrue(exchange.deadlineHit());
        assertEquals(503, exchange.code());
        Classifier.Final verdict =
                assertInstanceOf(Classifier.Final.class, Classifier.classify(exchange, "delete", BACKUPS, REF));
        assertEquals(
                "503 Service Unavailable (gave up: the next retry would pass the deadline): answer 503"
                        + " (retried after 503)",
                verdict.detail());
    }

    @Test
    @DisplayName("a Retry-After beyond the deadline is not waited for")
    void retryAfterBeyondTheDeadlineIsNotWaitedFor() throws Exception {
        answer(status(429, "120"));

        Retrier.Exchange exchange = send(spec(backoff(100, 6)));

        assertEquals(1, exchange.attempts());
        assertEquals(List.of(), time.sleeps());
        assertTrue(exchange.deadlineHit());
        assertEquals(429, exchange.code());
    }

    @ParameterizedTest(name = "{0} is final")
    @ValueSource(ints = {400, 401, 403, 404, 409, 422})
    @DisplayName("answers that retrying cannot change are sent once")
    void nonRetryableCodesAreSentOnce(int code) throws Exception {
        answer(status(code, "1"), status(code, "1"));

        Retrier.Exchange exchange = send(spec(backoff(100, 6)));

        assertEquals(code, exchange.code());
        assertEquals(1, exchange.attempts());
        assertEquals(1, requestsSent());
        assertEquals(List.of(), time.sleeps());
        assertEquals("", exchange.retries());
    }

    @ParameterizedTest(name = "{0} is retried")
    @ValueSource(ints = {429, 500, 502, 503, 504})
    @DisplayName("throttling and server errors are retried up to the attempt limit, then the last answer stands")
    void retryableCodesAreRetriedUpToTheAttemptLimit(int code) throws Exception {
        for (int i = 0; i < 10; i++) {
            answer(status(code, null));
        }

        Retrier.Exchange exchange = send(spec(backoff(100, 4)));

        assertEquals(code, exchange.code());
        assertEquals(4, exchange.attempts());
        assertEquals(4, requestsSent());
        assertEquals(VirtualTime.millis(100, 200, 400), time.sleeps());
        assertFalse(exchange.deadlineHit());
    }

    @Test
    @DisplayName("a server that cannot be reached is retried up to the attempt limit; the last I/O error stands")
    void ioErrorsAreRetriedUpToTheAttemptLimit() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: connections are refused at once
        }
        ApiClient unreachable =
                new ClientBuilder().setBasePath("http://127.0.0.1:" + port).build();

        Retrier.Exchange exchange = send(spec(backoff(100, 4)), unreachable);

        assertNull(exchange.result());
        assertInstanceOf(ConnectException.class, exchange.error());
        assertEquals(4, exchange.attempts());
        assertEquals(VirtualTime.millis(100, 200, 400), time.sleeps());
        assertFalse(exchange.answerLost(), "a refused connection carried no request");
    }

    @Test
    @DisplayName("a server that answered and then stops answering (a restart) is retried until the deadline, past the"
            + " attempt limit; its answers once back count as usual")
    void serverThatAnsweredIsRetriedUntilTheDeadline() throws Exception {
        AtomicInteger refusals = new AtomicInteger(10);
        ApiClient client = cluster.client();
        client.setHttpClient(client.getHttpClient()
                .newBuilder()
                .addInterceptor(chain -> {
                    if (requestsSent() > 0 && refusals.getAndDecrement() > 0) {
                        throw new ConnectException("Failed to connect to /127.0.0.1 (restarting)");
                    }
                    return chain.proceed(chain.request());
                })
                .build());
        Cleanup.Builder builder = spec(backoff(100, 4));
        Stages stages = new Stages(client, builder.spec());
        Retrier.Exchange first =
                stages.retrier.send("get backup-1", () -> stages.api.get(PROBE, stages.deadline), stages.deadline);
        assertEquals(200, first.code());
        answer(status(503, null), status(503, null)); // starting up once back: these count as usual

        Retrier.Exchange exchange =
                stages.retrier.send("get backup-1", () -> stages.api.get(PROBE, stages.deadline), stages.deadline);

        assertEquals(200, exchange.code(), "answered once the server was back");
        assertEquals(13, exchange.attempts(), "ten refusals, well past the limit of 4, two 503s, then the answer");
        assertEquals(4, requestsSent());
    }

    @Test
    @DisplayName("a delete's 404 for the path (plain text: handlers not ready) is retried; a Status 404 is not")
    void pathNotServedIsRetriedForDeletes() throws Exception {
        Cleanup.Builder builder = spec(backoff(100, 4));
        Stages stages = new Stages(cluster.client(), builder.spec());
        answer(() -> new MockResponse().setResponseCode(404).setBody("404 page not found\n"));

        Retrier.Exchange exchange = stages.retrier.send(
                "delete backup-1", () -> stages.api.get(PROBE, stages.deadline), stages.deadline, true);

        assertEquals(200, exchange.code());
        assertEquals(2, exchange.attempts());
        answer(status(404, null));
        Retrier.Exchange notFound = stages.retrier.send(
                "delete backup-1", () -> stages.api.get(PROBE, stages.deadline), stages.deadline, true);
        assertEquals(404, notFound.code());
        assertEquals(1, notFound.attempts(), "the server's own NotFound is an answer about the object");
    }

    @Test
    @DisplayName("a dropped connection is retried, and the next answer is the one that counts")
    void droppedConnectionIsRetried() throws Exception {
        AtomicInteger drops = new AtomicInteger(1);
        ApiClient client = cluster.client();
        client.setHttpClient(client.getHttpClient()
                .newBuilder()
                .addInterceptor(chain -> {
                    if (drops.getAndDecrement() > 0) {
                        // what OkHttp reports when the server closes the connection instead of answering
                        throw new IOException(
                                "unexpected end of stream on " + chain.request().url());
                    }
                    return chain.proceed(chain.request());
                })
                .build());

        Retrier.Exchange exchange = send(spec(backoff(100, 4)), client);

        assertEquals(200, exchange.code());
        assertEquals(2, exchange.attempts());
        assertEquals(1, requestsSent(), "the dropped attempt never reached the server");
        assertEquals(VirtualTime.millis(100), time.sleeps());
        assertTrue(exchange.retries().startsWith("IOException: unexpected end of stream"), exchange.retries());
    }

    @Test
    @DisplayName("a TLS handshake failure is not retried: retrying cannot fix a certificate")
    void tlsHandshakeFailureIsNotRetried() throws Exception {
        Stages stages = new Stages(cluster.client(), spec(backoff(100, 4)).spec());
        AtomicInteger sent = new AtomicInteger();

        Retrier.Exchange exchange = stages.retrier.send(
                "get backup-1",
                () -> {
                    sent.incrementAndGet();
                    throw new SSLHandshakeException("PKIX path building failed");
                },
                stages.deadline);

        assertEquals(1, sent.get());
        assertEquals(1, exchange.attempts());
        assertInstanceOf(SSLHandshakeException.class, exchange.error());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    @DisplayName("an untrusted server certificate is described with what to do: give the CA in the kubeconfig")
    void untrustedCertificateSaysToGiveTheCa() {
        SSLHandshakeException pkix = new SSLHandshakeException("PKIX path building failed");
        pkix.initCause(new CertificateException(
                "unable to find valid certification path", new CertPathBuilderException("no path")));

        assertEquals(
                "SSLHandshakeException: PKIX path building failed; the server's certificate is not trusted: give its"
                        + " CA as certificate-authority or certificate-authority-data of the cluster in the kubeconfig",
                Retrier.describe(pkix));
        assertEquals(
                "SSLHandshakeException: Received fatal alert: handshake_failure",
                Retrier.describe(new SSLHandshakeException("Received fatal alert: handshake_failure")),
                "no hint for a handshake that failed for another reason");
    }
}
