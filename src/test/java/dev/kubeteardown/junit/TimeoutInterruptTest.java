package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.BACKUPS;
import static dev.kubeteardown.junit.TestKit.NS;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupInterruptedException;
import dev.kubeteardown.junit.TestKit.TestKitOnly;
import dev.kubeteardown.testing.MockCluster;
import io.kubernetes.client.util.ClientBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A teardown cut short by JUnit's {@code @Timeout} (which interrupts the thread running the timed method) stops
 * promptly, throws with its partial report and leaves no worker thread behind.
 */
class TimeoutInterruptTest {

    /** Far beyond the {@code @Timeout}: if the run ignored the interrupt, it would only return after this. */
    static final Duration RUN_DEADLINE = Duration.ofSeconds(60);

    /** The port of a server that accepts connections (the kernel's backlog) and never answers. */
    static volatile int silentPort;

    static final AtomicReference<Throwable> THROWN = new AtomicReference<>();

    @TestKitOnly
    static class TimedTeardownTestCase {
        @Test
        void passes() {}

        @AfterEach
        @Timeout(value = 500, unit = TimeUnit.MILLISECONDS)
        void teardown() {
            try {
                Cleanup.builder(
                                new ClientBuilder()
                                        .setBasePath("http://127.0.0.1:" + silentPort)
                                        .build(),
                                BACKUPS)
                        .namespace(NS)
                        .timeout(RUN_DEADLINE)
                        .build()
                        .execute();
            } catch (RuntimeException e) {
                THROWN.set(e);
                throw e;
            }
        }
    }

    @Test
    @DisplayName(
            "a teardown interrupted by @Timeout stops promptly with CleanupInterruptedException and leaves no thread")
    void timeoutInterruptsTheTeardown() throws Exception {
        THROWN.set(null);
        EngineExecutionResults results;
        long took;
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            silentPort = silent.getLocalPort();
            long start = System.nanoTime();
            results = TestKit.run(TimedTeardownTestCase.class);
            took = (System.nanoTime() - start) / 1_000_000;
        }

        Throwable failure = TestKit.failureOf(results, "passes()");
        assertInstanceOf(TimeoutException.class, failure, "JUnit's @Timeout fired");
        assertTrue(failure.getMessage().contains("teardown() timed out after 500 milliseconds"), failure.getMessage());
        assertInstanceOf(CleanupInterruptedException.class, THROWN.get(), "the run saw the interrupt");
        assertTrue(Arrays.asList(failure.getSuppressed()).contains(THROWN.get()), "JUnit keeps the run's exception");
        assertTrue(took < RUN_DEADLINE.toMillis() / 2, "stopped long before the run's own deadline: " + took + " ms");
        MockCluster.await(
                "kube-teardown worker threads to end",
                Duration.ofSeconds(10),
                () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("kube-teardown-") && t.isAlive()));
    }
}
