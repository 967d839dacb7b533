package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Watches over chunked HTTP (client-java) and WebSockets (fabric8), resumable by resource version. */
@Timeout(20)
class WatchTest {

    private static final String LH = LonghornResources.NAMESPACE;

    private LonghornSimulator sim;
    private SimHttp http;
    private DynamicKubernetesApi backups;

    @BeforeEach
    void start() {
        sim = LonghornSimulator.builder()
                .watchHistory(50)
                .seed(BackupstoreSpec.of(1, 3))
                .start();
        http = new SimHttp(sim);
        backups = new DynamicKubernetesApi("longhorn.io", "v1beta2", "backups", sim.apiClient());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aWatchReplaysFromItsResourceVersionThenStreamsLiveEvents() throws Exception {
        String from = Long.toString(sim.resourceVersion());
        create("w-1", "team", "a");
        http.patch(NS + "backups/w-1", "{\"spec\":{\"snapshotName\":\"s\"}}", "application/merge-patch+json");
        http.delete(NS + "backups/w-1", null);
        try (Watchable<DynamicKubernetesObject> watch = backups.watch(LH, new ListOptions().resourceVersion(from))) {
            assertEquals(List.of("ADDED w-1", "MODIFIED w-1", "DELETED w-1"), next(watch, 3));
            create("w-2", "team", "a");
            assertEquals(List.of("ADDED w-2"), next(watch, 1));
        }
        Await.until("the server noticed the closed watch", Duration.ofSeconds(5), () -> sim.openWatches() == 0);
    }

    @Test
    void aWatchWithoutResourceVersionStartsWithTheCurrentObjects() throws Exception {
        try (Watchable<DynamicKubernetesObject> watch = backups.watch(LH, new ListOptions())) {
            List<String> events = next(watch, 3);
            assertTrue(events.stream().allMatch(e -> e.startsWith("ADDED backup-")), events.toString());
        }
    }

    @Test
    void aWatchCountedAsOpenSeesEveryLiveEvent() throws Exception {
        // no resourceVersion, so nothing is replayed: only a watch already subscribed can see w-1
        try (Watchable<DynamicKubernetesObject> watch =
                backups.watch(LH, new ListOptions().labelSelector("team=late"))) {
            Await.until("the watch is open", Duration.ofSeconds(5), () -> sim.openWatches() == 1);
            create("w-1", "team", "late");
            assertEquals(List.of("ADDED w-1"), next(watch, 1));
        }
    }

    @Test
    void objectsLeavingAndEnteringTheSelectorAreDeletedAndAdded() throws Exception {
        String from = Long.toString(sim.resourceVersion());
        create("sel", "team", "a");
        http.patch(NS + "backups/sel", "{\"metadata\":{\"labels\":{\"team\":\"b\"}}}", "application/merge-patch+json");
        http.patch(NS + "backups/sel", "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}", "application/merge-patch+json");
        ListOptions options = new ListOptions().resourceVersion(from).labelSelector("team in (a)");
        try (Watchable<DynamicKubernetesObject> watch = backups.watch(LH, options)) {
            assertEquals(List.of("ADDED sel", "DELETED sel", "ADDED sel"), next(watch, 3));
        }
    }

    @Test
    void aResourceVersionOlderThanTheHistoryGetsA410ErrorEvent() throws Exception {
        for (int i = 0; i < 60; i++) {
            create("churn-" + i, "team", "c");
        }
        try (Watchable<DynamicKubernetesObject> watch = backups.watch(LH, new ListOptions().resourceVersion("1"))) {
            io.kubernetes.client.util.Watch.Response<DynamicKubernetesObject> event = watch.next();
            assertEquals("ERROR", event.type);
            assertEquals(410, event.status.getCode());
            assertEquals("Expired", event.status.getReason());
            assertFalse(watch.hasNext(), "the server ends the watch");
        }
    }

    @Test
    void timeoutSecondsEndsTheWatch() throws Exception {
        long start = System.nanoTime();
        ListOptions options = new ListOptions()
                .resourceVersion(Long.toString(sim.resourceVersion()))
                .timeoutSeconds(1);
        try (Watchable<DynamicKubernetesObject> watch = backups.watch(LH, options)) {
            assertFalse(watch.hasNext());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 900 && millis < 5_000, "ended after " + millis + " ms");
    }

    @Test
    void theWireFormatIsChunkedNewlineDelimitedJson() throws Exception {
        String from = Long.toString(sim.resourceVersion());
        create("raw", "team", "a");
        try (Response response = http.call("GET", NS + "backups?watch=1&resourceVersion=" + from, null, null)) {
            assertEquals(200, response.code());
            assertEquals("chunked", response.header("Transfer-Encoding"));
            assertEquals("application/json", response.header("Content-Type"));
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8));
            JsonObject event = JsonParser.parseString(lines.readLine()).getAsJsonObject();
            assertEquals("ADDED", event.get("type").getAsString());
            assertEquals(
                    "raw",
                    event.getAsJsonObject("object")
                            .getAsJsonObject("metadata")
                            .get("name")
                            .getAsString());
        }
    }

    @Test
    void fabric8WatchesOverAWebSocket() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup("longhorn.io")
                .withVersion("v1beta2")
                .withPlural("backups")
                .withKind("Backup")
                .withNamespaced(true)
                .build();
        Watch watch = sim.fabricClient()
                .genericKubernetesResources(context)
                .inNamespace(LH)
                .withResourceVersion(Long.toString(sim.resourceVersion()))
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource resource) {
                        events.add(action + " " + resource.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        // nothing to release
                    }
                });
        try {
            create("ws", "team", "a");
            assertEquals("ADDED ws", events.poll(5, TimeUnit.SECONDS));
        } finally {
            watch.close();
        }
    }

    @Test
    void closingTheSimulatorEndsOpenWatches() throws Exception {
        Watchable<DynamicKubernetesObject> watch =
                backups.watch(LH, new ListOptions().resourceVersion(Long.toString(sim.resourceVersion())));
        Await.until("the watch is open", Duration.ofSeconds(5), () -> sim.openWatches() == 1);
        sim.close();
        try {
            assertFalse(watch.hasNext());
        } catch (RuntimeException connectionClosed) {
            // also an acceptable way for a client to learn that the server went away
        } finally {
            watch.close();
        }
    }

    private void create(String name, String label, String value) {
        SimHttp.Reply reply = http.post(
                NS + "backups",
                "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"" + label + "\":\"" + value
                        + "\"}},\"spec\":{}}");
        assertEquals(201, reply.code(), reply.body());
    }

    private static List<String> next(Watchable<DynamicKubernetesObject> watch, int count) {
        List<String> events = new ArrayList<>();
        while (events.size() < count && watch.hasNext()) {
            io.kubernetes.client.util.Watch.Response<DynamicKubernetesObject> event = watch.next();
            events.add(event.type + " " + event.object.getMetadata().getName());
        }
        return events;
    }
}
