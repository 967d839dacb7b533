package dev.kubeteardown;

import static dev.kubeteardown.Wire.event;
import static dev.kubeteardown.Wire.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lists and watches ask for metadata only, with plain JSON as the server's alternative; a server that answers 406
 * is asked for plain JSON from then on; a field selector on a field outside the metadata keeps whole objects, since
 * the lister checks it again client-side.
 */
@Timeout(60)
class MetadataOnlyTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String NS = "test-ns";
    static final String PATH = "/apis/longhorn.io/v1beta2/namespaces/test-ns/backups";

    MockCluster cluster;
    VirtualTime time;
    Stages stages;
    /** The Accept header of each request to {@link #PATH}, as {@code list: ...} or {@code watch: ...}. */
    final List<String> accepts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        time = new VirtualTime();
    }

    @AfterEach
    void stop() {
        if (stages != null) {
            stages.close();
        }
        cluster.close();
    }

    Cleanup.Builder backups() {
        return Cleanup.builder(cluster.client(), BACKUPS)
                .namespace(NS)
                .timeout(Duration.ofSeconds(60))
                // generous: the first request to a fresh mock server can be slow on a loaded machine
                .requestTimeout(Duration.ofSeconds(30))
                .sleeper(time)
                .ticker(time);
    }

    /** Two pages: a (state Completed, label keep=no) then b (state InProgress, label keep=yes). */
    static List<JsonObject> page(String continueToken) {
        JsonObject a = object(NS, "a", "uid-a", "11", Map.of("keep", "no"), List.of());
        JsonObject b = object(NS, "b", "uid-b", "12", Map.of("keep", "yes"), List.of());
        a.add("spec", JsonParser.parseString("{\"state\":\"Completed\"}"));
        b.add("spec", JsonParser.parseString("{\"state\":\"InProgress\"}"));
        return continueToken == null ? List.of(a) : List.of(b);
    }

    /**
     * A server like kube-apiserver that ignores field selectors (as it does for unsupported fields of a custom
     * resource when a proxy drops them): metadata-only answers when asked for them, else whole objects; or 406 to
     * any metadata-only request when {@code refuseMetadata}.
     */
    void serve(boolean refuseMetadata) {
        cluster.intercept((r, c) -> {
            if (!r.getMethod().equals("GET") || !Wire.path(r.getPath()).equals(PATH)) {
                return null;
            }
            String accept = Objects.requireNonNullElse(r.getHeader("Accept"), "");
            boolean watch = "true".equals(Wire.param(r.getPath(), "watch"));
            accepts.add((watch ? "watch: " : "list: ") + accept);
            boolean metadata = accept.contains(";as=PartialObjectMetadata");
            if (metadata && refuseMetadata) {
                return MockCluster.status(406, "NotAcceptable", "only the following media types are accepted: ...");
            }
            if (watch) {
                JsonObject gone = page(null).get(0);
                return Wire.watch(event("DELETED", metadata ? partial(gone) : gone));
            }
            String token = Wire.param(r.getPath(), "continue");
            List<JsonObject> items = page(token);
            MockResponse answer = Wire.list("20", token == null ? "t1" : null, items.toArray(JsonObject[]::new));
            return metadata ? partialList(items, token == null ? "t1" : null) : answer;
        });
    }

    static JsonObject partial(JsonObject object) {
        JsonObject partial = new JsonObject();
        partial.addProperty("kind", "PartialObjectMetadata");
        partial.addProperty("apiVersion", "meta.k8s.io/v1");
        partial.add("metadata", object.get("metadata"));
        return partial;
    }

    static MockResponse partialList(List<JsonObject> items, String continueToken) {
        JsonObject meta = new JsonObject();
        meta.addProperty("resourceVersion", "20");
        if (continueToken != null) {
            meta.addProperty("continue", continueToken);
        }
        JsonArray array = new JsonArray();
        items.forEach(i -> array.add(partial(i)));
        JsonObject list = new JsonObject();
        list.addProperty("kind", "PartialObjectMetadataList");
        list.addProperty("apiVersion", "meta.k8s.io/v1");
        list.add("metadata", meta);
        list.add("items", array);
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(list.toString());
    }

    List<String> list(Cleanup.Builder builder) throws InterruptedException {
        stages = new Stages(cluster.client(), builder.spec());
        List<String> handedOut = new ArrayList<>();
        stages.lister().list(stages.deadline, new HashSet<>(), (ref, labels) -> handedOut.add(ref.name() + labels));
        return handedOut;
    }

    @Test
    @DisplayName("lists ask for PartialObjectMetadataList (JSON as the alternative) and read objects from metadata")
    void listsAskForMetadataOnly() throws Exception {
        serve(false);

        List<String> handedOut = list(backups().labelSelector("keep=yes"));

        assertEquals(List.of("b{keep=yes}"), handedOut, "the label selector is checked again on metadata-only items");
        assertEquals(List.of("list: " + KubeApi.LIST_METADATA, "list: " + KubeApi.LIST_METADATA), accepts);
    }

    @Test
    @DisplayName("a server answering 406 to the metadata-only list is asked for plain JSON, once, and not asked again")
    void notAcceptableFallsBackToJsonOnceForTheRun() throws Exception {
        serve(true);

        List<String> handedOut = list(backups());

        assertEquals(List.of("a{keep=no}", "b{keep=yes}"), handedOut);
        assertEquals(
                List.of("list: " + KubeApi.LIST_METADATA, "list: application/json", "list: application/json"),
                accepts,
                "the second page goes straight to plain JSON");
        assertEquals(List.of(), time.sleeps(), "a 406 is not retried with backoff");
    }

    @Test
    @DisplayName("a field selector on a field outside metadata asks for whole objects, so the client-side check holds")
    void fieldSelectorOutsideMetadataKeepsWholeObjects() throws Exception {
        serve(false);

        List<String> handedOut = list(backups().fieldSelector("spec.state=Completed"));

        assertEquals(List.of("a{keep=no}"), handedOut, "b's spec.state is InProgress");
        assertEquals(List.of("list: application/json", "list: application/json"), accepts);
    }

    @Test
    @DisplayName("a field selector on metadata fields keeps the metadata-only list")
    void fieldSelectorOnMetadataKeepsMetadataOnly() throws Exception {
        serve(false);

        List<String> handedOut = list(backups().fieldSelector("metadata.name=b"));

        assertEquals(List.of("b{keep=yes}"), handedOut);
        assertEquals(List.of("list: " + KubeApi.LIST_METADATA, "list: " + KubeApi.LIST_METADATA), accepts);
    }

    @Test
    @DisplayName("watches ask for PartialObjectMetadata; a 406 reopens the watch with plain JSON")
    void watchAsksForMetadataOnlyAndFallsBackOn406() throws Exception {
        for (boolean refuse : List.of(false, true)) {
            accepts.clear();
            cluster.close();
            cluster = MockCluster.start();
            serve(refuse);
            stages = new Stages(cluster.client(), backups().spec());
            PendingDeletions pending = stages.pending();
            ObjectRef a = stages.listed(ObjectRef.of(page(null).get(0)));
            pending.add(new PendingDeletion(a, 1, stages.deadline.nanoTime(), "", true));

            stages.waiter().await(pending, "10", stages.deadline);

            assertTrue(pending.isEmpty());
            assertEquals("confirmed gone by watch", stages.outcome("a").detail());
            assertEquals(
                    refuse
                            ? List.of("watch: " + KubeApi.WATCH_METADATA, "watch: application/json")
                            : List.of("watch: " + KubeApi.WATCH_METADATA),
                    accepts);
            stages.close();
        }
    }
}
