package dev.kubeteardown.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A TCP proxy on 127.0.0.1 that forwards to a port on 127.0.0.1 and breaks connections on request. TLS passes through
 * untouched, so a client of {@code https://127.0.0.1:PROXYPORT} still verifies a certificate made for 127.0.0.1.
 *
 * <p>The fault of each new connection comes from a policy of its index (0, 1, 2, ...), which may be switched while
 * clients are connected ({@link #policy(IntFunction)}); {@link #cutAll()} closes every open connection, e.g. the one
 * carrying a long-lived watch. HTTP/2 clients multiplex many requests on one connection, so one connection's fault hits
 * all of them at once.
 *
 * <p>Bounded: at most {@code maxConnections} open connections (more are closed at once), two threads and two buffers
 * of {@value #BUFFER} bytes each per connection. {@link #close()} closes everything and stops every thread.
 */
public final class FaultProxy implements AutoCloseable {

    private static final int BUFFER = 16 * 1024;

    /** What happens to one connection. */
    public sealed interface Fault {}

    /** Forward both ways unchanged. */
    public record Pass() implements Fault {}

    /** Forward until {@code bytes} have gone through (both ways together), then reset the connection (RST). */
    public record ResetAfter(long bytes) implements Fault {}

    /** Accept and read nothing, answer nothing, never connect upstream: the connection just hangs. */
    public record BlackHole() implements Fault {}

    /** Forward the server's bytes {@code chunk} at a time with {@code pause} after each (the client's unchanged). */
    public record Trickle(int chunk, Duration pause) implements Fault {}

    /** The kinds of fault, for counting. */
    public enum Kind {
        PASS,
        RESET,
        BLACK_HOLE,
        TRICKLE,
        CUT,
        REFUSED_OVER_LIMIT
    }

    public static final Fault PASS = new Pass();
    public static final Fault BLACK_HOLE = new BlackHole();

    private final int targetPort;
    private final int maxConnections;
    private final ServerSocket server;
    private final ExecutorService threads;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Map<Kind, AtomicLong> counts = new EnumMap<>(Kind.class);
    private volatile IntFunction<Fault> policy = i -> PASS;
    private volatile boolean closed;

    /** Listens on a free port of 127.0.0.1 and forwards to {@code 127.0.0.1:targetPort}. */
    public FaultProxy(int targetPort, int maxConnections) throws IOException {
        if (maxConnections < 1 || maxConnections > 256) {
            throw new IllegalArgumentException("maxConnections must be 1..256, was " + maxConnections);
        }
        this.targetPort = targetPort;
        this.maxConnections = maxConnections;
        for (Kind k : Kind.values()) {
            counts.put(k, new AtomicLong());
        }
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.threads = Executors.newFixedThreadPool(2 * maxConnections + 1, r -> {
            Thread t = new Thread(r, "fault-proxy-" + server.getLocalPort());
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** The fault of every later connection, as a function of its index (the first connection is 0). */
    public FaultProxy policy(IntFunction<Fault> policy) {
        this.policy = policy;
        return this;
    }

    /** Connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** How often each kind of fault was applied. */
    public Map<Kind, Long> counts() {
        Map<Kind, Long> snapshot = new EnumMap<>(Kind.class);
        counts.forEach((k, v) -> snapshot.put(k, v.get()));
        return snapshot;
    }

    /** Closes every open connection now (a watch stream among them); later connections follow the policy. */
    public int cutAll() {
        int n = 0;
        for (Connection c : open) {
            c.close(true);
            n++;
        }
        counts.get(Kind.CUT).addAndGet(n);
        return n;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            int index = accepted.getAndIncrement();
            if (open.size() >= maxConnections) {
                counts.get(Kind.REFUSED_OVER_LIMIT).incrementAndGet();
                closeQuietly(client);
                continue;
            }
            Fault fault = policy.apply(index);
            Connection c = new Connection(client, fault);
            open.add(c);
            try {
                c.start();
            } catch (IOException | RejectedExecutionException e) {
                c.close(false);
            }
        }
    }

    private final class Connection {
        final Socket client;
        final Fault fault;
        final AtomicLong forwarded = new AtomicLong();
        volatile Socket upstream;

        Connection(Socket client, Fault fault) {
            this.client = client;
            this.fault = fault;
        }

        void start() throws IOException {
            counts.get(kindOf(fault)).incrementAndGet();
            if (fault instanceof BlackHole) {
                return; // held open, never read: the client's request goes nowhere until close()
            }
            Socket up = new Socket();
            upstream = up;
            up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
            threads.execute(() -> pump(client, up, false));
            threads.execute(() -> pump(up, client, true));
        }

        void pump(Socket from, Socket to, boolean fromServer) {
            byte[] buffer = new byte[BUFFER];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (fromServer && fault instanceof Trickle t) {
                        for (int off = 0; off < n; off += t.chunk()) {
                            out.write(buffer, off, Math.min(t.chunk(), n - off));
                            out.flush();
                            Thread.sleep(t.pause().toMillis());
                        }
                    } else {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                    if (fault instanceof ResetAfter r && forwarded.addAndGet(n) >= r.bytes()) {
                        close(true);
                        return;
                    }
                }
            } catch (IOException e) {
                // the other side went away, or we closed it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close(false);
        }

        /** Closes both sides; {@code reset} sends RST instead of FIN. */
        void close(boolean reset) {
            if (reset) {
                for (Socket s : new Socket[] {client, upstream}) {
                    if (s != null) {
                        try {
                            s.setSoLinger(true, 0);
                        } catch (SocketException e) {
                            // already closed
                        }
                    }
                }
            }
            closeQuietly(client);
            Socket up = upstream;
            if (up != null) {
                closeQuietly(up);
            }
            open.remove(this);
        }
    }

    private static Kind kindOf(Fault fault) {
        if (fault instanceof ResetAfter) {
            return Kind.RESET;
        } else if (fault instanceof BlackHole) {
            return Kind.BLACK_HOLE;
        } else if (fault instanceof Trickle) {
            return Kind.TRICKLE;
        }
        return Kind.PASS;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        open.forEach(c -> c.close(false));
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
