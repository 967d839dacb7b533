package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the ledger keeps per object: a small outcome once decided, and nothing else. */
class OutcomeLedgerTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "longhorn-system";
    static final String DELETING_SINCE = "2026-12-04T14:00:00Z";

    final VirtualTime time = new VirtualTime();
    final CleanupSpec spec = Cleanup.builder(new ApiClient(), BACKUPS)
            .namespace(NS)
            .sleeper(time)
            .ticker(time)
            .spec();
    final Deadline deadline = Deadline.after(Duration.ofSeconds(60), time);
    final OutcomeLedger ledger = new OutcomeLedger(spec, deadline);

    @Test
    @DisplayName("the clean outcomes of a run share every string but their name and UID; details read as decided")
    void cleanOutcomesShareEverythingButNameAndUid() {
        PendingDeletions pending = new PendingDeletions(ledger, Duration.ofSeconds(60));
        for (int i = 0; i < 1000; i++) {
            ObjectRef ref = parsed("backup-" + i, "uid-" + i, null);
            ledger.listed(ref);
            if (i % 2 == 0) {
                pending.add(new PendingDeletion(ref, 1, deadline.nanoTime(), "", true));
                pending.gone(parsed("backup-" + i, "uid-" + i, DELETING_SINCE), "confirmed gone by watch");
            } else {
                ledger.decide(ref, Outcome.Status.ALREADY_GONE, notFound(i), 1, deadline.nanoTime(), 404);
            }
        }

        List<Outcome> outcomes = ledger.report().outcomes();

        assertEquals(1000, outcomes.size());
        Outcome deleted = outcomes.get(0);
        Outcome gone = outcomes.get(1);
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            Outcome same = i % 2 == 0 ? deleted : gone;
            assertSame(deleted.resource(), o.resource());
            assertSame(deleted.namespace(), o.namespace(), "one namespace instance, not one per parsed object");
            assertSame(same.storedDetail(), o.storedDetail(), "one detail per kind of clean outcome: " + o);
            assertSame(same.deletionTimestamp(), o.deletionTimestamp());
            assertEquals(i % 2 == 0 ? "confirmed gone by watch" : notFound(i), o.detail());
        }
        assertEquals(DELETING_SINCE, deleted.deletionTimestamp());
    }

    @Test
    @DisplayName("once every object is decided, the ledger keeps nothing per object but its outcome")
    void decidedObjectsLeaveOnlyTheirOutcome() {
        ObjectRef failed = parsed("b", "uid-b", null);
        ObjectRef deleted = parsed("c", "uid-c", null);
        for (ObjectRef ref : List.of(failed, deleted)) {
            ledger.listed(ref);
            ledger.deleteSent(ref);
        }
        assertEquals(4, ledger.tracked());

        ledger.decide(failed, Outcome.Status.FAILED, "500 Internal Server Error: boom");
        ledger.decide(deleted, Outcome.Status.DELETED, "confirmed gone by watch");

        assertEquals(1, ledger.tracked(), "only the failed object's sent delete, for the re-check by list");
        assertEquals(2, ledger.report().outcomes().size());
    }

    static String notFound(int i) {
        return "already removed: delete answered 404 Not Found (backups.longhorn.io \"backup-" + i + "\" not found)";
    }

    /** As a list page yields it: every string its own instance, parsed from the object's own JSON. */
    static ObjectRef parsed(String name, String uid, String deletionTimestamp) {
        JsonObject object = Wire.object(NS, name, uid, "7", Map.of(), List.of());
        if (deletionTimestamp != null) {
            object.getAsJsonObject("metadata").addProperty("deletionTimestamp", deletionTimestamp);
        }
        return ObjectRef.of(JsonParser.parseString(object.toString()).getAsJsonObject());
    }
}
