package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Seeded, per-verb misbehaviour, and the counters that let tests assert on it. */
class FaultInjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void errorRatesAreDeterministicPerObjectAndCounted() {
        FaultPlan plan = FaultPlan.builder()
                .seed(3)
                .on(Verb.DELETE, "backups")
                .errorRate(503, 0.5)
                .retryAfter(Duration.ofSeconds(2))
                .build();
        List<String> first = failingDeletes(plan);
        assertTrue(first.size() > 5 && first.size() < 35, "about half of 40 fail, got " + first.size());
        assertEquals(first, failingDeletes(plan), "same seed, same failures");
        assertNotEquals(
                first,
                failingDeletes(FaultPlan.builder()
                        .seed(4)
                        .on(Verb.DELETE, "backups")
                        .errorRate(503, 0.5)
                        .retryAfter(Duration.ofSeconds(2))
                        .build()));
    }

    private static List<String> failingDeletes(FaultPlan plan) {
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(4, 10))
                .start()) {
            SimHttp http = new SimHttp(sim);
            List<String> failed = new ArrayList<>();
            for (String name : sim.remoteBackups()) {
                SimHttp.Reply reply = http.delete(NS + "backups/" + name, null);
                if (reply.code() == 503) {
                    failed.add(name);
                    assertEquals("2", reply.headers().get("Retry-After"));
                    assertEquals(
                            "ServiceUnavailable", reply.json().get("reason").getAsString());
                    assertEquals(
                            2,
                            reply.json()
                                    .getAsJsonObject("details")
                                    .get("retryAfterSeconds")
                                    .getAsInt());
                    assertTrue(
                            http.get(NS + "backups/" + name)
                                            .json()
                                            .getAsJsonObject("metadata")
                                            .get("deletionTimestamp")
                                    == null,
                            "a refused delete changed nothing");
                } else {
                    assertEquals(200, reply.code());
                }
            }
            assertEquals(Map.of(FaultKind.ERROR_STATUS, (long) failed.size()), sim.faultsInjected());
            assertEquals(40, sim.requests().count(Verb.DELETE, "backups"));
            return failed;
        }
    }

    @Test
    void firstAttemptsLimitsARuleSoThatRetriesSucceed() {
        FaultPlan plan = FaultPlan.builder()
                .on(Verb.DELETE)
                .errorRate(500, 1.0)
                .firstAttempts(1)
                .build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String path = NS + "backups/" + sim.remoteBackups().first();
            assertEquals(500, http.delete(path, null).code());
            assertEquals(200, http.delete(path, null).code());
        }
    }

    @Test
    void latencyIsScheduledNotSlept() throws Exception {
        // GETs wait far longer than the test runs; a LIST (no latency) is answered while all 16 are still pending.
        // Were a delay slept on a server thread, 16 of them would hold every event loop and the LIST would wait
        // for them: it would time out, or come back only after the GETs were done.
        FaultPlan plan =
                FaultPlan.builder().on(Verb.GET).latency(Duration.ofMinutes(10)).build();
        try (LonghornSimulator sim = LonghornSimulator.builder().faults(plan).start()) {
            SimHttp http = new SimHttp(sim);
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> replies = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    replies.add(clients.submit(
                            () -> http.get("/api/v1/namespaces/longhorn-system").code()));
                }
                Await.until(
                        "all 16 GETs are delayed",
                        WAIT,
                        () -> sim.faultsInjected().getOrDefault(FaultKind.LATENCY, 0L) == 16L);
                assertEquals(
                        200,
                        new SimHttp(sim, Duration.ofSeconds(30))
                                .get("/api/v1/namespaces")
                                .code());
                replies.forEach(reply -> assertTrue(!reply.isDone(), "a GET was answered before its latency"));
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void aDelayedRequestIsAnsweredAfterItsLatency() {
        FaultPlan plan =
                FaultPlan.builder().on(Verb.GET).latency(Duration.ofMillis(300)).build();
        try (LonghornSimulator sim = LonghornSimulator.builder().faults(plan).start()) {
            long start = System.nanoTime();
            assertEquals(
                    200,
                    new SimHttp(sim).get("/api/v1/namespaces/longhorn-system").code());
            long millis = (System.nanoTime() - start) / 1_000_000;
            // a lower bound only: a loaded machine can make it later, never earlier
            assertTrue(millis >= 300, "answered after " + millis + " ms");
            assertEquals(1L, sim.faultsInjected().get(FaultKind.LATENCY));
        }
    }

    @Test
    void aSlowResponseTimesOutAlthoughTheDeleteHappened() {
        FaultPlan plan = FaultPlan.builder()
                .on(Verb.DELETE)
                .slowRate(1.0, Duration.ofSeconds(3))
                .build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .remoteDeleteDelay(Duration.ofMillis(10))
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp impatient = new SimHttp(sim, Duration.ofMillis(200));
            String path = NS + "backups/" + sim.remoteBackups().first();
            assertThrows(
                    InterruptedIOException.class,
                    () -> impatient.call("DELETE", path, null, null).close());
            Await.until(
                    "the delete took effect anyway",
                    WAIT,
                    () -> new SimHttp(sim).get(path).code() == 404);
        }
    }

    @Test
    void aDroppedConnectionProcessesNothing() {
        FaultPlan plan = FaultPlan.builder().on(Verb.DELETE).disconnectRate(1.0).build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String path = NS + "backups/" + sim.remoteBackups().first();
            assertThrows(
                    IOException.class,
                    () -> http.call("DELETE", path, null, null).close());
            assertEquals(200, http.get(path).code());
            assertEquals(1L, sim.faultsInjected().get(FaultKind.DISCONNECT));
        }
    }

    @Test
    void notFoundRacesRemoveTheObjectFirstAndAnswerWithStatusOrEmptyBody() {
        FaultPlan plan = FaultPlan.builder()
                .on(Verb.DELETE, "backups")
                .notFoundRace(1.0)
                .on(Verb.DELETE, "backupvolumes")
                .notFoundRace(1.0, NotFoundBody.EMPTY)
                .build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String backup = NS + "backups/" + sim.remoteBackups().first();
            SimHttp.Reply status = http.delete(backup, null);
            assertEquals(404, status.code());
            assertEquals("NotFound", status.json().get("reason").getAsString());
            assertEquals(404, http.get(backup).code(), "really gone, finalizer or not");

            String volume = NS + "backupvolumes/" + sim.remoteBackupVolumes().first();
            SimHttp.Reply empty = http.delete(volume, null);
            assertEquals(404, empty.code());
            assertEquals("", empty.body());
            assertEquals(2L, sim.faultsInjected().get(FaultKind.NOT_FOUND_RACE));
        }
    }

    @Test
    void aSameNameRecreationMakesTheUidPreconditionFail() {
        FaultPlan plan =
                FaultPlan.builder().on(Verb.DELETE, "backups").recreateRace(1.0).build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String path = NS + "backups/" + sim.remoteBackups().first();
            String uid =
                    http.get(path).json().getAsJsonObject("metadata").get("uid").getAsString();
            SimHttp.Reply reply = http.delete(path, "{\"preconditions\":{\"uid\":\"" + uid + "\"}}");
            assertEquals(409, reply.code());
            assertTrue(reply.json().get("message").getAsString().contains("UID in precondition: " + uid));
            String newUid =
                    http.get(path).json().getAsJsonObject("metadata").get("uid").getAsString();
            assertNotEquals(uid, newUid);
            assertTrue(http.get(path).json().getAsJsonObject("metadata").get("deletionTimestamp") == null);
        }
    }

    @Test
    void forbiddenAndUnauthorizedLookLikeRbac() {
        FaultPlan plan = FaultPlan.builder()
                .forbid(Verb.DELETE, "backups")
                .unauthorized(Verb.LIST, "backupvolumes")
                .build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(1, 1))
                .start()) {
            SimHttp http = new SimHttp(sim);
            String name = sim.remoteBackups().first();
            SimHttp.Reply forbidden = http.delete(NS + "backups/" + name, null);
            assertEquals(403, forbidden.code());
            assertEquals(
                    "backups.longhorn.io \"" + name + "\" is forbidden: User \"test\" cannot delete resource "
                            + "\"backups\" in API group \"longhorn.io\" in the namespace \"longhorn-system\"",
                    forbidden.json().get("message").getAsString());
            assertEquals("Forbidden", forbidden.json().get("reason").getAsString());
            assertEquals(200, http.get(NS + "backups/" + name).code());

            SimHttp.Reply unauthorized = http.get(NS + "backupvolumes");
            assertEquals(401, unauthorized.code());
            assertEquals("Unauthorized", unauthorized.json().get("reason").getAsString());
        }
    }

    @Test
    void continueTokensCanBeMadeToExpire() {
        FaultPlan plan = FaultPlan.builder()
                .on(Verb.LIST, "backups")
                .expiredContinueRate(1.0)
                .build();
        try (LonghornSimulator sim = LonghornSimulator.builder()
                .faults(plan)
                .seed(BackupstoreSpec.of(1, 4))
                .start()) {
            SimHttp http = new SimHttp(sim);
            SimHttp.Reply first = http.get(NS + "backups?limit=2");
            assertEquals(200, first.code(), "a list without a token is not affected");
            String token =
                    first.json().getAsJsonObject("metadata").get("continue").getAsString();
            SimHttp.Reply expired = http.get(NS + "backups?limit=2&continue=" + token);
            assertEquals(410, expired.code());
            assertEquals("Expired", expired.json().get("reason").getAsString());
            assertEquals(1L, sim.faultsInjected().get(FaultKind.EXPIRED_CONTINUE));
        }
    }

    @Test
    void requestsAreCountedByVerbAndResourceAndCanBeReset() throws IOException {
        try (LonghornSimulator sim =
                LonghornSimulator.builder().seed(BackupstoreSpec.of(1, 2)).start()) {
            SimHttp http = new SimHttp(sim);
            http.get(NS + "backups");
            try (Response watch = http.call("GET", NS + "backups?watch=true", null, null)) {
                assertEquals(200, watch.code());
            }
            http.get(NS + "backups/" + sim.remoteBackups().first());
            http.delete(NS + "backups?labelSelector=nothing", null);
            http.patch(NS + "backups/x", "{}", "application/merge-patch+json");
            http.delete(NS + "backupvolumes/x", null);
            RequestCounts counts = sim.requests();
            assertEquals(1, counts.count(Verb.LIST, "backups"));
            assertEquals(1, counts.count(Verb.WATCH));
            assertEquals(1, counts.count(Verb.GET));
            assertEquals(1, counts.count(Verb.DELETECOLLECTION));
            assertEquals(1, counts.count(Verb.PATCH));
            assertEquals(1, counts.count(Verb.DELETE, "backupvolumes"));
            assertEquals(0, counts.count(Verb.DELETE, "backups"));
            assertEquals(5, counts.count("backups"));
            assertEquals(6, counts.total());
            sim.resetCounters();
            assertEquals(0, sim.requests().total());
        }
    }

    @Test
    void faultPlansValidateTheirInput() {
        FaultPlan.Builder builder = FaultPlan.builder();
        IllegalArgumentException rate = assertThrows(
                IllegalArgumentException.class, () -> builder.on(Verb.GET).errorRate(503, 1.5));
        assertEquals("rate must be between 0 and 1, was 1.5", rate.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.on(Verb.GET).errorRate(404, 0.1));
        assertThrows(IllegalStateException.class, () -> builder.on(Verb.GET).retryAfter(Duration.ofSeconds(1)));
    }
}
