package dev.kubeteardown.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

    private ServerSocket echo;
    private ExecutorService echoThreads;

    /** An echo server on 127.0.0.1: what the proxy forwards to. */
    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo");
            t.setDaemon(true);
            return t;
        });
        echoThreads.execute(() -> {
            while (true) {
                Socket s;
                try {
                    s = echo.accept();
                } catch (IOException e) {
                    return;
                }
                echoThreads.execute(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        // client gone
                    }
                });
            }
        });
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
        echoThreads.shutdownNow();
    }

    private static byte[] exchange(Socket s, byte[] out) throws IOException {
        s.setSoTimeout(5_000);
        OutputStream o = s.getOutputStream();
        o.write(out);
        o.flush();
        byte[] in = new byte[out.length];
        InputStream i = s.getInputStream();
        int read = 0;
        while (read < in.length) {
            int n = i.read(in, read, in.length - read);
            if (n < 0) {
                throw new IOException("closed after " + read + " bytes");
            }
            read += n;
        }
        return in;
    }

    private Socket connect(FaultProxy proxy) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    }

    @Test
    @DisplayName("passes bytes both ways, chooses each connection's fault by its index, and can switch mid-run")
    void passesAndSwitchesPerConnection() throws Exception {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        try (FaultProxy proxy = new FaultProxy(echo.getLocalPort(), 4)) {
            proxy.policy(i -> i == 1 ? FaultProxy.BLACK_HOLE : FaultProxy.PASS);
            try (Socket first = connect(proxy);
                    Socket second = connect(proxy);
                    Socket third = connect(proxy)) {
                assertArrayEquals(hello, exchange(first, hello));
                second.setSoTimeout(300);
                second.getOutputStream().write(hello);
                assertThrows(
                        SocketTimeoutException.class,
                        () -> second.getInputStream().read());
                assertArrayEquals(hello, exchange(third, hello));
            }
            proxy.policy(i -> new FaultProxy.ResetAfter(3));
            try (Socket reset = connect(proxy)) {
                assertThrows(IOException.class, () -> {
                    exchange(reset, hello);
                    exchange(reset, hello);
                });
            }
            assertEquals(4, proxy.connections());
            assertEquals(1L, proxy.counts().get(FaultProxy.Kind.BLACK_HOLE));
            assertEquals(1L, proxy.counts().get(FaultProxy.Kind.RESET));
        }
    }

    @Test
    @DisplayName("trickles the server's bytes, cuts every open connection on request, refuses beyond its limit")
    void tricklesCutsAndBounds() throws Exception {
        byte[] data = new byte[40];
        try (FaultProxy proxy = new FaultProxy(echo.getLocalPort(), 1)) {
            proxy.policy(i -> new FaultProxy.Trickle(4, Duration.ofMillis(1)));
            try (Socket s = connect(proxy)) {
                assertArrayEquals(data, exchange(s, data));
                try (Socket over = connect(proxy)) {
                    over.setSoTimeout(5_000);
                    assertEquals(-1, over.getInputStream().read(), "beyond the limit: closed at once");
                }
                assertEquals(1, proxy.cutAll());
                s.setSoTimeout(5_000);
                assertTrue(readsEnd(s), "the cut connection ends");
            }
            assertEquals(1L, proxy.counts().get(FaultProxy.Kind.REFUSED_OVER_LIMIT));
        }
    }

    private static boolean readsEnd(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (IOException e) {
            return true; // reset
        }
    }
}
