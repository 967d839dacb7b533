package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front door: a small Vert.x HTTP server that turns each request into fabric8's
 * {@link RecordedRequest}, asks a fabric8 {@link Dispatcher} for the {@link MockResponse}, and writes it, as
 * fabric8's {@code MockWebServer} does. Unlike that server it can also stream a response body (watches, over
 * chunked HTTP or a WebSocket), drop a connection, and delay any response on a timer instead of a thread.
 *
 * <p>It owns its Vert.x instance (fabric8 offers no public way to plug a request handler into its server or
 * to share its Vert.x instance): one HTTP server per event loop (up to {@value #MAX_EVENT_LOOPS}) sharing
 * one port, and {@link #shutdown()} stops every thread.
 */
final class SimWebServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimWebServer.class);
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final int MAX_EVENT_LOOPS = 4;
    private static final int EVENT_LOOPS =
            Math.max(1, Math.min(MAX_EVENT_LOOPS, Runtime.getRuntime().availableProcessors()));

    private final Vertx vertx;
    private final Dispatcher dispatcher;
    private String deployment;
    private InetAddress address;
    private volatile int port;
    private boolean started;
    private boolean stopped;

    /** @param dispatcher answers every request */
    SimWebServer(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
    }

    /** Listens on {@code inetAddress} and {@code requestedPort} (0: a free port). */
    synchronized void start(InetAddress inetAddress, int requestedPort) {
        if (started) {
            throw new IllegalStateException("start() already called");
        }
        started = true;
        address = inetAddress;
        HttpServerOptions options = new HttpServerOptions()
                .setHost(inetAddress.getHostAddress())
                .setPort(requestedPort)
                .setHttp2ClearTextEnabled(false)
                .setHandle100ContinueAutomatically(true);
        // one server per event loop, deployed together so that they share the (random) port:
        // Vert.x then spreads connections across the event loops
        deployment = await(
                vertx.deployVerticle(
                        () -> new VerticleBase() {
                            @Override
                            public Future<?> start() {
                                return vertx.createHttpServer(options)
                                        .requestHandler(SimWebServer.this::handle)
                                        .listen()
                                        .onSuccess(listening -> port = listening.actualPort());
                            }
                        },
                        new DeploymentOptions().setInstances(EVENT_LOOPS)),
                "start the simulator's HTTP server");
    }

    /** Stops the HTTP servers, the dispatcher and Vert.x. Idempotent. */
    synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (deployment != null) {
                dispatcher.shutdown();
                await(vertx.undeploy(deployment), "stop the simulator's HTTP server");
                dispatcher.releaseResources();
            }
        } finally {
            await(vertx.close(), "stop Vert.x");
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    int getPort() {
        requireStarted();
        return port;
    }

    String getHostName() {
        requireStarted();
        return address.getHostAddress();
    }

    private synchronized void requireStarted() {
        if (!started) {
            throw new IllegalStateException("not started");
        }
    }

    private void handle(HttpServerRequest request) {
        if (isWebSocketUpgrade(request)) {
            // an upgrade has to happen before the request is read; upgrade requests have no body
            RecordedRequest recorded = record(request, null);
            respond(request, recorded, dispatchSafely(recorded));
            return;
        }
        request.body().onComplete(body -> {
            if (body.failed()) {
                request.response().setStatusCode(400).end();
                return;
            }
            RecordedRequest recorded = record(request, body.result().getBytes());
            MockResponse response = dispatchSafely(recorded);
            Duration delay = response.getBodyDelay();
            if (delay != null && delay.toMillis() > 0) {
                vertx.setTimer(delay.toMillis(), id -> respond(request, recorded, response));
            } else {
                respond(request, recorded, response);
            }
        });
    }

    private MockResponse dispatchSafely(RecordedRequest recorded) {
        try {
            return dispatcher.dispatch(recorded);
        } catch (RuntimeException e) {
            LOG.warn("Simulator failed on {} {}", recorded.getMethod(), recorded.getPath(), e);
            return StatusResponses.of(StatusException.internalError(String.valueOf(e)));
        }
    }

    private static RecordedRequest record(HttpServerRequest request, byte[] body) {
        HttpMethod method;
        try {
            method = HttpMethod.fromVertx(request.method());
        } catch (RuntimeException e) {
            method = HttpMethod.ANY;
        }
        return new RecordedRequest(
                request.version().alpnName().toUpperCase(Locale.ROOT),
                method,
                request.uri(),
                Headers.builder().addAll(request.headers()).build(),
                new Buffer(body));
    }

    private void respond(HttpServerRequest request, RecordedRequest recorded, MockResponse response) {
        HttpServerResponse out = request.response();
        if (out.closed() || out.ended()) {
            return; // the client gave up while the response was delayed
        }
        if (response instanceof SpecialResponses.Disconnect) {
            request.connection().shutdown(Duration.ZERO); // close() would wait for this very request
        } else if (response instanceof SpecialResponses.Streaming streaming) {
            if (isWebSocketUpgrade(request)) {
                request.toWebSocket()
                        .onSuccess(ws -> streaming.open(new WebSocketStream(ws)))
                        .onFailure(e -> LOG.debug("WebSocket upgrade failed for {}", recorded.getPath(), e));
            } else {
                copyHeaders(response, out);
                out.setStatusCode(response.code()).setChunked(true);
                out.writeHead();
                streaming.open(new ChunkedStream(out, Vertx.currentContext()));
            }
        } else if (response.getWebSocketListener() != null && isWebSocketUpgrade(request)) {
            request.toWebSocket().onSuccess(new ServerWebSocketHandler(recorded, response));
        } else {
            out.setStatusCode(response.code());
            copyHeaders(response, out);
            Buffer body = response.getBody();
            if (body != null && body.size() > 0) {
                out.end(io.vertx.core.buffer.Buffer.buffer(body.getBytes()));
            } else {
                out.end();
            }
        }
    }

    private static void copyHeaders(MockResponse response, HttpServerResponse out) {
        response.getHeaders()
                .toMultimap()
                .forEach((name, values) -> out.headers().add(name, values));
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
    }

    private static <T> T await(Future<T> future, String what) {
        CompletableFuture<T> done = new CompletableFuture<>();
        future.onComplete(result -> {
            if (result.succeeded()) {
                done.complete(result.result());
            } else {
                done.completeExceptionally(result.cause());
            }
        });
        try {
            return done.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not " + what, e);
        }
    }

    /** Close actions shared by both stream kinds: run once, whoever ends the stream. */
    private abstract class ClosingStream implements ResponseStream {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final List<Runnable> closeActions = new ArrayList<>();

        @Override
        public void onClose(Runnable action) {
            boolean runNow;
            synchronized (closeActions) {
                runNow = closed.get();
                if (!runNow) {
                    closeActions.add(action);
                }
            }
            if (runNow) {
                action.run();
            }
        }

        @Override
        public void endAfter(Duration timeout) {
            vertx.setTimer(Math.max(1, timeout.toMillis()), id -> end());
        }

        boolean isClosed() {
            return closed.get();
        }

        void fireClose() {
            List<Runnable> actions;
            synchronized (closeActions) {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                actions = List.copyOf(closeActions);
            }
            actions.forEach(Runnable::run);
        }

        void onContext(Context context, Runnable action) {
            try {
                context.runOnContext(v -> action.run());
            } catch (RuntimeException e) {
                fireClose(); // Vert.x is shutting down
            }
        }
    }

    /** Newline-delimited JSON on a chunked HTTP response, as kube-apiserver streams a watch. */
    private final class ChunkedStream extends ClosingStream {
        private final HttpServerResponse out;
        private final Context context;

        ChunkedStream(HttpServerResponse out, Context context) {
            this.out = out;
            this.context = context;
            out.closeHandler(v -> fireClose());
        }

        @Override
        public void write(byte[] chunk) {
            onContext(context, () -> {
                if (!isClosed() && !out.closed() && !out.ended()) {
                    out.write(io.vertx.core.buffer.Buffer.buffer(chunk));
                }
            });
        }

        @Override
        public void end() {
            onContext(context, () -> {
                if (!out.closed() && !out.ended()) {
                    out.end();
                }
                fireClose();
            });
        }
    }

    /** One text message per event, as fabric8's client expects a watch over a WebSocket. */
    private final class WebSocketStream extends ClosingStream {
        private final ServerWebSocket ws;
        private final Context context;

        WebSocketStream(ServerWebSocket ws) {
            this.ws = ws;
            this.context = Vertx.currentContext();
            ws.closeHandler(v -> fireClose());
        }

        @Override
        public void write(byte[] chunk) {
            String message = new String(chunk, StandardCharsets.UTF_8).stripTrailing();
            onContext(context, () -> {
                if (!isClosed() && !ws.isClosed()) {
                    ws.writeTextMessage(message);
                }
            });
        }

        @Override
        public void end() {
            onContext(context, () -> {
                if (!ws.isClosed()) {
                    ws.close();
                }
                fireClose();
            });
        }
    }
}
