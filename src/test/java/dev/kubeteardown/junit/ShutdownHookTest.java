package dev.kubeteardown.junit;

import static dev.kubeteardown.junit.TestKit.BACKUPS;
import static dev.kubeteardown.junit.TestKit.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.junit.TestKit.TestKitOnly;
import dev.kubeteardown.longhorn.BackupCleanup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** {@code teardownOnShutdown()}: a suite's JVM stopped by SIGTERM tears down; one that ends normally leaves the hook. */
class ShutdownHookTest extends WithMockCluster {

    private static final long CHILD_SECONDS = 60;

    /** A child JVM running {@link ShutdownSuiteChild}; its output is read on a thread, so no read blocks the test. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder output = new StringBuilder();

        Child(String url, String mode) throws Exception {
            String java =
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            ShutdownSuiteChild.class.getName(),
                            url,
                            mode)
                    .redirectErrorStream(true)
                    .start();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader out = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line = out.readLine(); line != null; line = out.readLine()) {
                                lines.add(line);
                            }
                        } catch (IOException ended) {
                            // the child is gone: nothing more to read
                        }
                    },
                    "shutdown-child-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits, with a deadline, for the child to print exactly this line. */
        void awaitLine(String expected) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_SECONDS);
            while (System.nanoTime() - end < 0) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    output.append(line).append('\n');
                    if (line.equals(expected)) {
                        return;
                    }
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("the child did not print \"" + expected + "\":\n" + output);
        }

        void awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(CHILD_SECONDS, TimeUnit.SECONDS), "the child exited");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    @DisplayName("teardownOnShutdown(): SIGTERM while a test runs still runs the after-all steps")
    void sigtermRunsTheAfterAllSteps() throws Exception {
        cluster.create(BACKUPS, NS, "leaked-1");
        cluster.create(BACKUPS, NS, "leaked-2");
        try (Child child = new Child(cluster.url().replaceAll("/$", ""), "block")) {
            child.awaitLine("ready");
            assertEquals(2, cluster.countObjects(BACKUPS, NS), "nothing cleaned while the test runs");
            child.process.destroy(); // SIGTERM
            child.awaitExit();
        }
        assertEquals(0, cluster.countObjects(BACKUPS, NS), "the hook ran the after-all steps");
    }

    @Test
    @DisplayName(
            "teardownOnShutdown(): once the suite ended normally the hook is gone, so the JVM's exit deletes nothing")
    void normalEndDeregistersTheHook() throws Exception {
        cluster.create(BACKUPS, NS, "of-the-suite");
        try (Child child = new Child(cluster.url().replaceAll("/$", ""), "complete")) {
            child.awaitLine("suite done");
            assertEquals(0, cluster.countObjects(BACKUPS, NS), "the suite's own after-all run cleaned");
            cluster.create(BACKUPS, NS, "after-the-suite");
            long deletesBefore = cluster.count("DELETE");
            try (Writer in = new OutputStreamWriter(child.process.getOutputStream(), StandardCharsets.UTF_8)) {
                in.write("exit\n");
            }
            child.awaitExit();
            assertEquals(0, child.process.exitValue());
            assertEquals(deletesBefore, cluster.count("DELETE"), "no delete after the suite");
        }
        assertTrue(cluster.exists(BACKUPS, NS, "after-the-suite"), "a still-registered hook would have deleted it");
    }

    @TestKitOnly
    static class NoAfterAllStepsTestCase {
        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(TestKit::client)
                .afterEach(c -> BackupCleanup.builder(c).build())
                .teardownOnShutdown();

        @Test
        void passes() {}
    }

    @Test
    @DisplayName("teardownOnShutdown() without after-all steps is a configuration error naming the fix")
    void withoutAfterAllStepsIsAConfigurationError() {
        EngineExecutionResults results = TestKit.run(NoAfterAllStepsTestCase.class);

        Throwable thrown = TestKit.containerFailureOf(results, "NoAfterAllStepsTestCase");
        assertInstanceOf(ExtensionConfigurationException.class, thrown);
        assertTrue(thrown.getMessage().contains("add them with afterAll(...)"), thrown.getMessage());
        assertEquals(List.of(), TestKit.deletes());
    }
}
