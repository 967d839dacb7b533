package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code Accept} negotiation of kube-apiserver for metadata-only lists and watches
 * ({@code as=PartialObjectMetadataList} / {@code as=PartialObjectMetadata}, group {@code meta.k8s.io}, v1).
 */
@Timeout(20)
class MetadataOnlyFormTest {

    static final String LIST_METADATA =
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    static final String WATCH_METADATA =
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

    private LonghornSimulator sim;
    private SimHttp http;

    @BeforeEach
    void start() {
        sim = LonghornSimulator.builder().seed(BackupstoreSpec.of(1, 3)).start();
        http = new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Every page of the backups list with this Accept header, {@code limit=2}. */
    List<JsonObject> pages(String accept) {
        List<JsonObject> pages = new ArrayList<>();
        String token = null;
        do {
            SimHttp.Reply reply =
                    http.get(NS + "backups?limit=2" + (token == null ? "" : "&continue=" + token), accept);
            assertEquals(200, reply.code(), reply.body());
            JsonObject page = reply.json();
            pages.add(page);
            JsonElement next = page.getAsJsonObject("metadata").get("continue");
            token = next == null ? null : next.getAsString();
        } while (token != null);
        return pages;
    }

    static List<JsonObject> items(List<JsonObject> pages) {
        List<JsonObject> items = new ArrayList<>();
        pages.forEach(p -> p.getAsJsonArray("items").forEach(i -> items.add(i.getAsJsonObject())));
        return items;
    }

    @Test
    @DisplayName("a list asking for PartialObjectMetadataList gets metadata-only items, paged as the full list")
    void metadataOnlyListCarriesTheMetadataOfEveryObject() {
        List<JsonObject> full = pages("application/json");
        List<JsonObject> partial = pages(LIST_METADATA);

        assertEquals("BackupList", full.get(0).get("kind").getAsString());
        assertTrue(partial.size() > 1, "paged");
        for (JsonObject page : partial) {
            assertEquals("PartialObjectMetadataList", page.get("kind").getAsString());
            assertEquals("meta.k8s.io/v1", page.get("apiVersion").getAsString());
        }
        List<JsonObject> fullItems = items(full);
        List<JsonObject> partialItems = items(partial);
        assertEquals(fullItems.size(), partialItems.size());
        for (int i = 0; i < fullItems.size(); i++) {
            JsonObject item = partialItems.get(i);
            assertEquals(Set.of("kind", "apiVersion", "metadata"), item.keySet());
            assertEquals("PartialObjectMetadata", item.get("kind").getAsString());
            assertEquals("meta.k8s.io/v1", item.get("apiVersion").getAsString());
            assertEquals(fullItems.get(i).get("metadata"), item.get("metadata"));
            assertTrue(fullItems.get(i).has("spec"), "the plain list keeps whole objects");
        }
    }

    @Test
    @DisplayName("a watch asking for PartialObjectMetadata streams metadata-only objects")
    void metadataOnlyWatchStreamsPartialObjects() throws Exception {
        String from = Long.toString(sim.resourceVersion());
        http.post(
                NS + "backups",
                "{\"apiVersion\":\"longhorn.io/v1beta2\",\"kind\":\"Backup\",\"metadata\":{\"name\":\"w\"},"
                        + "\"spec\":{\"snapshotName\":\"s\"}}");
        try (Response response = http.call(NS + "backups?watch=1&resourceVersion=" + from, WATCH_METADATA)) {
            assertEquals(200, response.code());
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8));
            JsonObject event = JsonParser.parseString(lines.readLine()).getAsJsonObject();
            JsonObject object = event.getAsJsonObject("object");
            assertEquals("ADDED", event.get("type").getAsString());
            assertEquals("PartialObjectMetadata", object.get("kind").getAsString());
            assertEquals("meta.k8s.io/v1", object.get("apiVersion").getAsString());
            assertEquals("w", object.getAsJsonObject("metadata").get("name").getAsString());
            assertFalse(object.has("spec"));
        }
    }

    @Test
    @DisplayName("a media type the server cannot serve is 406; the first servable range wins")
    void negotiationTakesTheFirstServableRange() {
        SimHttp.Reply table = http.get(NS + "backups", "application/json;as=Table;g=meta.k8s.io;v=v1");
        assertEquals(406, table.code());
        assertEquals("NotAcceptable", table.json().get("reason").getAsString());
        assertEquals(
                "BackupList",
                http.get(NS + "backups", "application/json;as=Table;g=meta.k8s.io;v=v1,application/json")
                        .json()
                        .get("kind")
                        .getAsString());
        assertEquals(
                "PartialObjectMetadata",
                http.get(
                                NS + "backups/"
                                        + items(pages("application/json"))
                                                .get(0)
                                                .getAsJsonObject("metadata")
                                                .get("name")
                                                .getAsString(),
                                WATCH_METADATA)
                        .json()
                        .get("kind")
                        .getAsString(),
                "a single object takes PartialObjectMetadata");
    }
}
