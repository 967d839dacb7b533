package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kubeteardown.testing.MockCluster;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Builder validation: every bad option is named with its value before any request is sent. */
class BuilderValidationTest {

    @Test
    @DisplayName("bad options are rejected at build(), naming the option and value, before any request is sent")
    void builderValidation() {
        try (MockCluster cluster = MockCluster.start()) {
            ResourceType t = ResourceType.core("v1", "configmaps");
            assertMessage(
                    "parallelism must be >= 1, was 0",
                    () -> Cleanup.builder(cluster.client(), t).parallelism(0).build());
            assertMessage(
                    "parallelism must be >= 1, was -3",
                    () -> Cleanup.builder(cluster.client(), t).parallelism(-3).build());
            assertMessage(
                    "parallelism must be <= 256, was 10000",
                    () -> Cleanup.builder(cluster.client(), t)
                            .parallelism(10_000)
                            .build());
            assertMessage(
                    "timeout must be > 0, was PT-1S",
                    () -> Cleanup.builder(cluster.client(), t)
                            .timeout(Duration.ofSeconds(-1))
                            .build());
            assertMessage(
                    "timeout must be > 0, was PT0S",
                    () -> Cleanup.builder(cluster.client(), t)
                            .timeout(Duration.ZERO)
                            .build());
            assertMessage(
                    "pageSize must be >= 1, was 0",
                    () -> Cleanup.builder(cluster.client(), t).pageSize(0).build());
            assertMessage(
                    "invalid label selector \"app in (a\": ends unexpectedly",
                    () -> Cleanup.builder(cluster.client(), t)
                            .labelSelector("app in (a")
                            .build());
            assertMessage(
                    "namespace must be a lower-case DNS label, was \"\"",
                    () -> Cleanup.builder(cluster.client(), t).namespace("").build());
            assertMessage(
                    "plural must be the lower-case plural resource name such as backups (not the kind, not plural.group),"
                            + " was \"Backup\"",
                    () -> ResourceType.namespaced("longhorn.io", "v1beta2", "Backup"));
            assertMessage(
                    "plural must be the lower-case plural resource name such as backups (not the kind, not plural.group),"
                            + " was \"\"",
                    () -> ResourceType.namespaced("longhorn.io", "v1beta2", ""));
            assertThrows(NullPointerException.class, () -> Cleanup.builder(null, t));
            assertThrows(
                    NullPointerException.class,
                    () -> Cleanup.builder(cluster.client(), t).namespace(null));
            assertEquals(0, cluster.requests().size(), "nothing was sent");
        }
    }

    static void assertMessage(String message, Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertEquals(message, e.getMessage());
    }
}
