package dev.kubeteardown.sim;

import java.time.Duration;

/** The open body of a streaming HTTP response (a watch), written by any thread, in call order. */
interface ResponseStream {

    void write(byte[] chunk);

    void end();

    /** Runs {@code action} once when the stream ends, whoever ends it (server, client or timeout). */
    void onClose(Runnable action);

    void endAfter(Duration timeout);
}
