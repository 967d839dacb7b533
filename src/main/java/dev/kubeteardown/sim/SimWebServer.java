package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.MockWebServer;
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
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front door: fabric8's {@link MockWebServer}, with its request handler replaced by one that can
 * also stream a response body (watches, over chunked HTTP or a WebSocket), drop a connection, and delay any
 * response on a timer instead of a thread. Everything else is what the stock handler does: the
 * {@link Dispatcher} turns each {@link RecordedRequest} into a {@link MockResponse}.
 *
 * <p>The stock server's request handler is fixed inside {@code start()}, so this subclass owns the Vert.x
 * HTTP servers: one per event loop (up to {@value #MAX_EVENT_LOOPS}) sharing one port, where the stock
 * server has one. It reuses the Vert.x instance the superclass constructor already created (one private
 * field, read once) so that no second event-loop group exists and {@link #shutdown()} stops every thread.
 */
final class SimWebServer extends MockWebServer {

    private static final Logger LOG = LoggerFactory.getLogger(SimWebServer.class);
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final int MAX_EVENT_LOOPS = 4;
    private static final int EVENT_LOOPS =
            Math.max(1, Math.min(MAX_EVENT_LOOPS, Runtime.getRuntime().availableProcessors()));

    private final Vertx vertx;
    private final AtomicInteger requestCount = new AtomicInteger();
    private volatile Dispatcher dispatcher;
    private String deployment;
    private InetAddress address;
    private volatile int port;
    private boolean started;
    private boolean stopped;

    SimWebServer() {
        this.vertx = inheritedVertx();
    }

    private Vertx inheritedVertx() {
        try {
            Field field = MockWebServer.class.getDeclaredField("vertx");
            field.setAccessible(true);
            return (Vertx) field.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "unsupported io.fabric8:mockwebserver version: MockWebServer.vertx not found", e);
        }
    }

    @Override
    public void setDispatcher(Dispatcher value) {
        this.dispatcher = value;
    }

    @Override
    public void start() {
        start(0);
    }

    @Override
    public void start(int requestedPort) {
        start(InetAddress.getLoopbackAddress(), requestedPort);
    }

    @Override
    public synchronized void start(InetAddress inetAddress, int requestedPort) {
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

    @Override
    public synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (started) {
                Dispatcher current = dispatcher;
                if (current != null) {
                    current.shutdown();
                }
                await(vertx.undeploy(deployment), "stop the simulator's HTTP server");
                if (current != null) {
                    current.releaseResources();
                }
            }
        } finally {
            await(vertx.close(), "stop Vert.x");
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    @Override
    public int getPort() {
        requireStarted();
        return port;
    }

    @Override
    public String getHostName() {
        requireStarted();
        return address.getHostAddress();
    }

    @Override
    public Proxy toProxyAddress() {
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(getHostName(), getPort()));
    }

    @Override
    public int getRequestCount() {
        return requestCount.get();
    }

    /** Not kept: a benchmark sends tens of thousands of requests. Use the simulator's request counters. */
    @Override
    public RecordedRequest takeRequest() {
        throw new UnsupportedOperationException("requests are counted, not recorded: use LonghornSimulator.requests()");
    }

    @Override
    public RecordedRequest takeRequest(long timeout, TimeUnit unit) {
        return takeRequest();
    }

    private synchronized void requireStarted() {
        if (!started) {
            throw new IllegalStateException("not started");
        }
    }

    private void handle(HttpServerRequest request) {
        requestCount.incrementAndGet();
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
