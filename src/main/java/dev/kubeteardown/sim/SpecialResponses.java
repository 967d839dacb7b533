package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.MockResponse;
import java.util.function.Consumer;

/**
 * Responses a plain {@link MockResponse} cannot express, recognised by {@link SimWebServer}: a chunked
 * body written over time, and a connection dropped without an answer.
 */
final class SpecialResponses {

    private SpecialResponses() {}

    /** A 200 whose body is produced after the headers are sent; {@code opener} receives the stream. */
    static final class Streaming extends MockResponse {
        private final Consumer<ResponseStream> opener;

        Streaming(Consumer<ResponseStream> opener) {
            this.opener = opener;
            setResponseCode(200);
            setHeader("Content-Type", "application/json");
        }

        void open(ResponseStream stream) {
            opener.accept(stream);
        }
    }

    /** Close the connection without writing anything, as a crashed proxy or reset would. */
    static final class Disconnect extends MockResponse {
        Disconnect() {
            setResponseCode(599);
        }
    }
}
