package dev.kubeteardown;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one logical request with retries per {@link RetryPolicy}, within the attempt limit and the deadline; once
 * the server has answered in this run, an unanswered request is retried until the deadline (see
 * {@link #serverReached}).
 */
final class Retrier {

    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** One request to the API server; may be sent several times. */
    @FunctionalInterface
    interface Request {
        KubeApi.HttpResult send() throws IOException;
    }

    /**
     * The final answer: a response, or the last I/O error when no response came. {@code retries} says why
     * earlier attempts were repeated, for the outcome's detail.
     */
    record Exchange(
            KubeApi.HttpResult result,
            IOException error,
            int attempts,
            String retries,
            boolean deadlineHit,
            boolean answerLost) {
        int code() {
            return result == null ? 0 : result.code();
        }
    }

    /** Hears every attempt's answer: its HTTP code (0 for an I/O error) and latency. */
    @FunctionalInterface
    interface Listener {
        Listener NONE = (code, latencyNanos) -> {};

        void answered(int code, long latencyNanos);
    }

    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Ticker ticker;
    private final Listener listener;
    /**
     * Whether the server has answered anything in this run. A server that answered and then stops answering at all
     * (connection refused or reset, no response) is most likely restarting - a control-plane upgrade, an OOM kill -
     * so such attempts do not count against the attempt limit, only the deadline bounds them; the answers it gives
     * once back (a 503 while it starts) count as usual. A server never reached fails fast.
     */
    private final AtomicBoolean serverReached;

    Retrier(Backoff backoff, Sleeper sleeper) {
        this(backoff, sleeper, Ticker.SYSTEM, Listener.NONE, new AtomicBoolean());
    }

    private Retrier(Backoff backoff, Sleeper sleeper, Ticker ticker, Listener listener, AtomicBoolean serverReached) {
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.ticker = ticker;
        this.listener = listener;
        this.serverReached = serverReached;
    }

    /** This retrier, telling {@code listener} each attempt's code and latency as timed by {@code ticker}. */
    Retrier reportingTo(Listener listener, Ticker ticker) {
        return new Retrier(backoff, sleeper, ticker, listener, serverReached);
    }

    Exchange send(String what, Request request, Deadline deadline) throws InterruptedException {
        return send(what, request, deadline, false);
    }

    /**
     * @param retryPathNotServed also retry a {@linkplain KubeApi.HttpResult#isPathNotServed() 404 for the path} (a
     *                           delete, whose object was listed a moment ago: its type is most likely coming back)
     */
    Exchange send(String what, Request request, Deadline deadline, boolean retryPathNotServed)
            throws InterruptedException {
        StringBuilder retries = new StringBuilder();
        boolean answerLost = false; // an earlier attempt may have reached the server without us hearing back
        int attempt = 0;
        int counted = 0; // attempts held to the limit
        while (true) {
            attempt++;
            KubeApi.HttpResult result = null;
            IOException error = null;
            Optional<Duration> floor;
            long sent = ticker.nanoTime();
            try {
                result = request.send();
                if (!serverReached.get()) { // a read, not a shared write, on every answer after the first
                    serverReached.set(true);
                }
                listener.answered(result.code(), ticker.nanoTime() - sent);
                floor = retryPathNotServed && result.isPathNotServed()
                        ? Optional.of(Duration.ZERO)
                        : RetryPolicy.retryFloor(result);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException(what + " interrupted");
                }
                listener.answered(0, ticker.nanoTime() - sent);
                error = e;
                floor = RetryPolicy.isRetryable(e) ? Optional.of(Duration.ZERO) : Optional.empty();
            }
            if (floor.isEmpty()) {
                return new Exchange(result, error, attempt, retries.toString(), false, answerLost);
            }
            String why = result != null ? Integer.toString(result.code()) : describe(error);
            if (error == null || !serverReached.get()) {
                counted++; // a server that answered before and now answers nothing is not counted: it is restarting
            }
            if (counted >= backoff.maxAttempts()) {
                return new Exchange(result, error, attempt, retries.toString(), false, answerLost);
            }
            Duration delay = max(backoff.delayBefore(attempt, ThreadLocalRandom.current()), floor.get());
            if (delay.compareTo(deadline.remaining()) >= 0) {
                // waiting would cross the deadline: report the last answer now rather than overrun
                return new Exchange(result, error, attempt, retries.toString(), true, answerLost);
            }
            // only a timeout means the request was sent whole and may have been carried out unheard
            answerLost |= error instanceof InterruptedIOException;
            retries.append(retries.length() == 0 ? "" : ", ").append(why);
            LOG.debug("{}: attempt {} got {}, retrying in {} ms", what, attempt, why, delay.toMillis());
            sleeper.sleep(delay);
        }
    }

    static String describe(IOException e) {
        if (e instanceof InterruptedIOException && "timeout".equals(e.getMessage())) {
            return "request timed out";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message) + tlsHint(e);
    }

    /**
     * What to do about a TLS failure, which is not retried and otherwise reads as a Java stack's jargon: an untrusted
     * certificate (PKIX, self-signed) wants the cluster's CA in the kubeconfig, never switching verification off.
     */
    static String tlsHint(IOException e) {
        if (e instanceof SSLPeerUnverifiedException) {
            return "; the server's certificate does not name the address connected to (check the kubeconfig's server,"
                    + " or set tls-server-name)";
        }
        if (e instanceof SSLHandshakeException) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof CertificateException || t instanceof CertPathBuilderException) {
                    return "; the server's certificate is not trusted: give its CA as certificate-authority or"
                            + " certificate-authority-data of the cluster in the kubeconfig";
                }
            }
        }
        return "";
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
