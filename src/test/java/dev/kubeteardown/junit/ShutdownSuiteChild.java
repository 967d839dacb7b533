package dev.kubeteardown.junit;

import dev.kubeteardown.junit.TestKit.TestKitOnly;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run in a child JVM by {@link ShutdownHookTest}: runs a suite with {@code teardownOnShutdown()} through
 * EngineTestKit. {@code block}: the test says "ready" and blocks until the parent sends SIGTERM. {@code complete}:
 * the suite ends normally, the child says "suite done" and exits normally once the parent writes a line.
 */
public final class ShutdownSuiteChild {

    static volatile ApiClient client;

    private ShutdownSuiteChild() {}

    public static void main(String[] args) throws Exception {
        client = new ClientBuilder().setBasePath(args[0]).build();
        if (args[1].equals("block")) {
            TestKit.run(BlockingSuiteTestCase.class);
            return;
        }
        TestKit.run(CompletingSuiteTestCase.class);
        System.out.println("suite done");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine(); // the parent's go
    }

    @TestKitOnly
    static class BlockingSuiteTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> client)
                .afterAll(c -> BackupCleanup.builder(c).build())
                .teardownOnShutdown();

        @Test
        void blocksUntilKilled() throws InterruptedException {
            System.out.println("ready");
            System.out.flush();
            new CountDownLatch(1).await(); // the parent ends this JVM with SIGTERM
        }
    }

    @TestKitOnly
    static class CompletingSuiteTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(() -> client)
                .afterAll(c -> BackupCleanup.builder(c).build())
                .teardownOnShutdown();

        @Test
        void passes() {}
    }
}
