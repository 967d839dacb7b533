package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.testing.MockCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Selectors, backoff, reports and builder validation: the value types users meet first. */
class ValuesTest {

    @Test
    void labelSelectorMatchesLikeKubernetes() {
        LabelSelector s = LabelSelector.parse("app=web, tier in (a,b), !legacy, env!=prod, release notin (x), owner");
        assertTrue(s.matches(Map.of("app", "web", "tier", "a", "env", "dev", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "c", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "a", "owner", "me", "legacy", "")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "a", "env", "prod", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "b", "release", "x", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "b")));
        assertTrue(LabelSelector.parse("kube-teardown.dev/run==r1").matches(Map.of("kube-teardown.dev/run", "r1")));
        assertTrue(LabelSelector.parse("gen>3").matches(Map.of("gen", "4")));
        assertTrue(LabelSelector.parse("").isEverything());
        assertTrue(LabelSelector.parse(null).matches(Map.of()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "app=",
                "=web",
                "app in (a,",
                "app in a",
                "app==web==x",
                "app=web,",
                "UPPER.case/x=y",
                "app=$web",
                "app notin",
                "a b",
                "gen>x",
                "(app)"
            })
    void invalidLabelSelectorsAreRejected(String selector) {
        if (selector.equals("app=")) {
            assertTrue(LabelSelector.parse(selector).matches(Map.of("app", "")), "app= selects the empty value");
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(selector));
        assertTrue(e.getMessage().startsWith("invalid label selector \"" + selector + "\""), e.getMessage());
    }

    @Test
    void fieldSelectorParsesAndRejects() {
        assertFalse(FieldSelector.parse("metadata.name=a,metadata.namespace!=b").isEverything());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FieldSelector.parse("metadata.name"));
        assertTrue(e.getMessage().contains("has no operator"), e.getMessage());
    }

    @Test
    @DisplayName("backoff doubles from initial, caps at max, and jitter only shortens")
    void backoffIsCappedExponentialWithJitter() {
        Backoff noJitter = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), 0, 10);
        assertEquals(Duration.ofMillis(100), noJitter.delayBefore(1, new Random(1)));
        assertEquals(Duration.ofMillis(200), noJitter.delayBefore(2, new Random(1)));
        assertEquals(Duration.ofMillis(400), noJitter.delayBefore(3, new Random(1)));
        assertEquals(Duration.ofMillis(500), noJitter.delayBefore(4, new Random(1)));
        assertEquals(Duration.ofMillis(500), noJitter.delayBefore(80, new Random(1)));
        Backoff jitter = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.5, 10);
        Random random = new Random(42);
        for (int i = 0; i < 100; i++) {
            long d = jitter.delayBefore(2, random).toMillis();
            assertTrue(d >= 100 && d <= 200, "jittered delay within [100, 200]: " + d);
        }
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0, 1));
        assertThrows(
                IllegalArgumentException.class, () -> new Backoff(Duration.ofMillis(1), Duration.ofSeconds(1), 1.5, 1));
    }

    @Test
    @DisplayName("the exception lists every FAILED/STUCK object sorted by namespace and name, each also suppressed")
    void failedExceptionListsProblemsSorted() {
        List<Outcome> outcomes = List.of(
                outcome("ns-b", "z", Outcome.Status.FAILED, "403 Forbidden: no"),
                outcome("ns-a", "y", Outcome.Status.DELETED, ""),
                outcome("ns-a", "x", Outcome.Status.STUCK, "finalizers [longhorn.io]"),
                outcome("ns-a", "w", Outcome.Status.ALREADY_GONE, "404"));
        CleanupReport report =
                new CleanupReport("backups.longhorn.io/v1beta2", "all namespaces", outcomes, Duration.ofMillis(1500));
        assertFalse(report.isClean());
        CleanupFailedException e = assertThrows(CleanupFailedException.class, report::throwIfNotClean);
        assertEquals(
                "Cleanup of backups.longhorn.io/v1beta2 in all namespaces is not clean: 2 objects FAILED or STUCK\n"
                        + "  STUCK backups.longhorn.io ns-a/x: finalizers [longhorn.io]\n"
                        + "  FAILED backups.longhorn.io ns-b/z: 403 Forbidden: no\n"
                        + "(see suppressed exceptions for details)",
                e.getMessage());
        assertEquals(2, e.getSuppressed().length);
        assertEquals(
                "backups.longhorn.io/v1beta2 in all namespaces: 4 objects, DELETED=1 ALREADY_GONE=1 STUCK=1 FAILED=1 in 1.50 s, NOT CLEAN",
                report.summary());
        assertTrue(report.table().contains("STUCK        ns-a/x"), report.table());
        assertTrue(report.toJson().contains("\"status\": \"STUCK\""), report.toJson());
        assertEquals(1L, report.counts().get(Outcome.Status.FAILED));
        assertEquals(0L, report.counts().get(Outcome.Status.WOULD_DELETE));
    }

    static Outcome outcome(String ns, String name, Outcome.Status status, String detail) {
        return new Outcome(
                "backups.longhorn.io",
                ns,
                name,
                "uid-" + name,
                status,
                detail,
                1,
                Duration.ZERO,
                0,
                status == Outcome.Status.STUCK ? List.of("longhorn.io") : List.of(),
                null);
    }

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

    static void assertMessage(String message, org.junit.jupiter.api.function.Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertEquals(message, e.getMessage());
    }
}
