package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deleter alone, on a virtual clock: what each delete carries on the wire, and which answers decide an outcome
 * at once and which hand the object to the waiter.
 */
@Timeout(60)
class DeleterTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "test-ns";
    static final String PATH = "/apis/longhorn.io/v1beta2/namespaces/test-ns/backups";
    static final List<String> HELD = List.of("longhorn.io");

    MockCluster cluster;
    VirtualTime time;
    Stages stages;

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        time = new VirtualTime();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    Cleanup.Builder backups() {
        return Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(30))
                .sleeper(time)
                .ticker(time);
    }

    /** Deletes {@code ref} (listed first, as a run does) with stages over {@code builder}'s spec. */
    PendingDeletion delete(Cleanup.Builder builder, ObjectRef ref) throws InterruptedException {
        stages = new Stages(cluster.client(), builder.spec());
        return stages.deleter().delete(stages.listed(ref), stages.deadline);
    }

    /** The object as the store holds it now. */
    ObjectRef stored(String name) {
        return ObjectRef.of(cluster.get(BACKUPS, NS, name));
    }

    static ObjectRef scripted(String name) {
        return ObjectRef.of(Wire.object(NS, name, "uid-" + name, "5"));
    }

    /** Every DELETE sent, as recorded. */
    List<MockCluster.Recorded> deletes() {
        return cluster.recorded().stream()
                .filter(r -> r.method().equals("DELETE"))
                .toList();
    }

    /** The server answers every DELETE with this. */
    void deletesAnswer(Supplier<MockResponse> response) {
        cluster.intercept((r, c) -> r.getMethod().equals("DELETE") ? response.get() : null);
    }

    @Test
    @DisplayName("the delete carries the UID precondition, the propagation policy and the grace period on the wire")
    void deleteCarriesTheUidPreconditionAndPropagationPolicy() throws Exception {
        cluster.create(BACKUPS, NS, "a");
        ObjectRef a = stored("a");

        PendingDeletion accepted = delete(
                backups().propagationPolicy(PropagationPolicy.FOREGROUND).gracePeriod(Duration.ofMillis(1500)), a);

        assertEquals(1, deletes().size());
        MockCluster.Recorded sent = deletes().get(0);
        assertEquals(PATH + "/a", Wire.path(sent.path()));
        assertNull(Wire.param(sent.path(), "dryRun"));
        JsonObject options = JsonParser.parseString(sent.body()).getAsJsonObject();
        assertEquals(
                a.uid(), options.getAsJsonObject("preconditions").get("uid").getAsString());
        assertEquals("Foreground", options.get("propagationPolicy").getAsString());
        assertEquals(2, options.get("gracePeriodSeconds").getAsInt(), "1.5 s rounded up, never down to 0");
        assertNotNull(accepted, "accepted: the waiter confirms it gone");
        assertTrue(accepted.byThisRun());
        assertEquals(1, accepted.attempts());
        assertEquals(List.of(), stages.ledger.snapshot(), "no outcome until the waiter decides");
    }

    @Test
    @DisplayName("404 on delete (empty body, as the mock sends): decided ALREADY_GONE, not waited for")
    void notFoundIsAlreadyGone() throws Exception {
        deletesAnswer(() -> Wire.text(404, ""));

        PendingDeletion accepted = delete(backups(), scripted("a"));

        assertNull(accepted);
        Outcome a = stages.outcome("a");
        assertEquals(Outcome.Status.ALREADY_GONE, a.status());
        assertEquals(404, a.httpStatus());
        assertEquals("already removed: delete answered 404 Not Found (empty response body)", a.detail());
        assertEquals(1, deletes().size(), "not retried");
    }

    @Test
    @DisplayName("409 from the UID precondition: decided ALREADY_GONE, and the same-name replacement is left alone")
    void uidMismatchIsAlreadyGoneAndTheReplacementIsLeftAlone() throws Exception {
        cluster.create(BACKUPS, NS, "a");
        ObjectRef listed = stored("a");
        cluster.deleteNow(BACKUPS, NS, "a"); // someone else deletes it after our list ...
        String replacement = cluster.create(BACKUPS, NS, "a"); // ... and creates another under the same name

        PendingDeletion accepted = delete(backups(), listed);

        assertNull(accepted);
        Outcome a = stages.outcome("a");
        assertEquals(Outcome.Status.ALREADY_GONE, a.status());
        assertEquals(409, a.httpStatus());
        assertTrue(a.detail().startsWith("already removed: the UID precondition no longer matches"), a.detail());
        assertEquals(replacement, cluster.uid(BACKUPS, NS, "a"), "the replacement is still there");
    }

    @Test
    @DisplayName("403 on delete: FAILED at once, naming the verb, the type and the namespace")
    void forbiddenIsFailedNamingTheVerb() throws Exception {
        deletesAnswer(() -> MockCluster.status(
                403, "Forbidden", "backups.longhorn.io \"a\" is forbidden: User \"ci\" cannot delete resource"));

        PendingDeletion accepted = delete(backups(), scripted("a"));

        assertNull(accepted);
        Outcome a = stages.outcome("a");
        assertEquals(Outcome.Status.FAILED, a.status());
        assertEquals(403, a.httpStatus());
        assertEquals(
                "403 Forbidden: backups.longhorn.io \"a\" is forbidden: User \"ci\" cannot delete resource;"
                        + " not retried: RBAC does not let this client 'delete' backups.longhorn.io in namespace test-ns",
                a.detail());
        assertEquals(1, deletes().size());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    @DisplayName("403 on the label patch before the delete: FAILED naming 'patch', and no DELETE is sent")
    void forbiddenLabelPatchIsFailedNamingThePatchVerb() throws Exception {
        cluster.intercept((r, c) ->
                r.getMethod().equals("PATCH") ? MockCluster.status(403, "Forbidden", "cannot patch resource") : null);

        PendingDeletion accepted = delete(backups().labelBeforeDelete("teardown", "yes"), scripted("a"));

        assertNull(accepted);
        Outcome a = stages.outcome("a");
        assertEquals(Outcome.Status.FAILED, a.status());
        assertEquals(
                "labelling before delete: 403 Forbidden: cannot patch resource; not retried:"
                        + " RBAC does not let this client 'patch' backups.longhorn.io in namespace test-ns",
                a.detail());
        assertEquals(List.of(), deletes());
    }

    @Test
    @DisplayName("200 with the object still held by finalizers: handed to the waiter as answered, finalizers and all")
    void objectHeldByFinalizersIsHandedToTheWaiterWithItsFinalizers() throws Exception {
        // a real server answers with the object, now carrying a deletionTimestamp (the mock's answer lacks it)
        JsonObject held = Wire.object(NS, "a", "uid-a", "6", Map.of(), HELD);
        held.getAsJsonObject("metadata").addProperty("deletionTimestamp", "2026-12-04T12:00:00Z");
        deletesAnswer(() -> Wire.json(200, held));

        PendingDeletion accepted = delete(backups(), scripted("a"));

        assertNotNull(accepted);
        assertEquals(HELD, accepted.ref().finalizers());
        assertEquals("2026-12-04T12:00:00Z", accepted.ref().deletionTimestamp());
        assertEquals("6", accepted.ref().resourceVersion());
        assertTrue(accepted.byThisRun());
        assertEquals(List.of(), stages.ledger.snapshot(), "not decided: it is still there");
    }

    @Test
    @DisplayName("server-side dry run: dryRun=All on the wire, decided WOULD_DELETE, not waited for")
    void serverDryRunIsWouldDelete() throws Exception {
        // a real server persists nothing under dryRun=All; the mock would really delete, so answer as a server would
        deletesAnswer(() -> Wire.json(200, Wire.object(NS, "a", "uid-a", "5")));

        PendingDeletion accepted = delete(backups().dryRun(DryRun.SERVER), scripted("a"));

        assertNull(accepted);
        Outcome a = stages.outcome("a");
        assertEquals(Outcome.Status.WOULD_DELETE, a.status());
        assertEquals("server-side dry run accepted the delete", a.detail());
        MockCluster.Recorded sent = deletes().get(0);
        assertEquals("All", Wire.param(sent.path(), "dryRun"));
        JsonObject options = JsonParser.parseString(sent.body()).getAsJsonObject();
        assertEquals("All", options.getAsJsonArray("dryRun").get(0).getAsString());
        assertEquals(1, deletes().size());
    }

    @Test
    @DisplayName("the deadline passed before its turn: FAILED without a request")
    void deadlinePassedBeforeItsTurnIsFailed() throws Exception {
        stages = new Stages(cluster.client(), backups().spec());
        ObjectRef a = stages.listed(scripted("a"));
        time.advance(Duration.ofSeconds(31)); // the earlier deletes used up the run's 30 s

        PendingDeletion accepted = stages.deleter().delete(a, stages.deadline);

        assertNull(accepted);
        Outcome outcome = stages.outcome("a");
        assertEquals(Outcome.Status.FAILED, outcome.status());
        assertEquals("not deleted: the deadline was reached before its turn", outcome.detail());
        assertEquals(0, outcome.attempts());
        assertEquals(List.of(), cluster.requests(), "nothing sent");
    }
}
