package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies without {@code kind} or {@code apiVersion}: kube-apiserver takes both from the URL (client-java's
 * typed models and many hand-written bodies leave them out); bodies that name another type are refused.
 */
class TypeMetaTest {

    private static final String CONFIG_MAPS = "/api/v1/namespaces/" + LonghornResources.NAMESPACE + "/configmaps";

    private static LonghornSimulator sim;
    private static SimHttp http;

    @BeforeAll
    static void start() {
        sim = LonghornSimulator.builder().start();
        http = new SimHttp(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void createWithoutKindTakesKindAndApiVersionFromTheUrl() {
        SimHttp.Reply created = http.post(NS + "backups", "{\"metadata\":{\"name\":\"no-kind\"}}");
        assertEquals(201, created.code(), created.body());
        assertTypeMeta("longhorn.io/v1beta2", "Backup", created.json());
        assertTypeMeta(
                "longhorn.io/v1beta2",
                "Backup",
                http.get(NS + "backups/no-kind").json());
        assertTypeMeta(
                "longhorn.io/v1beta2", "Backup", item(http.get(NS + "backups").json(), "no-kind"));
    }

    @Test
    void createWithOnlyAKindTakesTheApiVersionFromTheUrl() {
        SimHttp.Reply created =
                http.post(NS + "backupvolumes", "{\"kind\":\"BackupVolume\",\"metadata\":{\"name\":\"only-kind\"}}");
        assertEquals(201, created.code(), created.body());
        assertTypeMeta(
                "longhorn.io/v1beta2",
                "BackupVolume",
                http.get(NS + "backupvolumes/only-kind").json());
    }

    @Test
    void builtInTypesOnTheCrudMockTakeKindAndApiVersionFromTheUrl() {
        SimHttp.Reply created =
                http.post(CONFIG_MAPS, "{\"metadata\":{\"name\":\"cm-no-kind\"},\"data\":{\"a\":\"1\"}}");
        assertEquals(201, created.code(), created.body());
        assertTypeMeta("v1", "ConfigMap", http.get(CONFIG_MAPS + "/cm-no-kind").json());
        assertTypeMeta("v1", "ConfigMap", item(http.get(CONFIG_MAPS).json(), "cm-no-kind"));

        SimHttp.Reply updated = http.put(
                CONFIG_MAPS + "/cm-no-kind", "{\"metadata\":{\"name\":\"cm-no-kind\"},\"data\":{\"a\":\"2\"}}");
        assertEquals(200, updated.code(), updated.body());
        JsonObject after = http.get(CONFIG_MAPS + "/cm-no-kind").json();
        assertTypeMeta("v1", "ConfigMap", after);
        assertEquals("2", after.getAsJsonObject("data").get("a").getAsString());
    }

    @Test
    void updateWithoutKindKeepsKindAndApiVersion() {
        assertEquals(
                201,
                http.post(NS + "backups", "{\"metadata\":{\"name\":\"put-no-kind\"}}")
                        .code());
        SimHttp.Reply updated = http.put(
                NS + "backups/put-no-kind",
                "{\"metadata\":{\"name\":\"put-no-kind\",\"labels\":{\"x\":\"y\"}},\"spec\":{}}");
        assertEquals(200, updated.code(), updated.body());
        JsonObject after = http.get(NS + "backups/put-no-kind").json();
        assertTypeMeta("longhorn.io/v1beta2", "Backup", after);
        assertEquals(
                "y",
                after.getAsJsonObject("metadata")
                        .getAsJsonObject("labels")
                        .get("x")
                        .getAsString());
    }

    @Test
    void anotherApiVersionIsABadRequestAndNothingIsStored() {
        SimHttp.Reply reply =
                http.post(NS + "backups", "{\"apiVersion\":\"longhorn.io/v1beta1\",\"metadata\":{\"name\":\"v1b1\"}}");
        assertStatus(
                400,
                "BadRequest",
                "the API version in the data (longhorn.io/v1beta1) does not match the expected API version"
                        + " (longhorn.io/v1beta2)",
                reply);
        assertEquals(404, http.get(NS + "backups/v1b1").code());

        SimHttp.Reply builtIn =
                http.post(CONFIG_MAPS, "{\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"cm-apps\"}}");
        assertStatus(
                400,
                "BadRequest",
                "the API version in the data (apps/v1) does not match the expected API version (v1)",
                builtIn);
        assertEquals(404, http.get(CONFIG_MAPS + "/cm-apps").code());
    }

    @Test
    void anotherKindIsInvalidAndNothingIsStored() {
        SimHttp.Reply reply = http.post(NS + "backups", "{\"kind\":\"Volume\",\"metadata\":{\"name\":\"vol\"}}");
        // kube-apiserver's custom resource validation
        assertStatus(
                422,
                "Invalid",
                "Volume.longhorn.io \"vol\" is invalid: kind: Invalid value: \"Volume\": must be Backup",
                reply);
        assertEquals(404, http.get(NS + "backups/vol").code());

        SimHttp.Reply builtIn = http.post(CONFIG_MAPS, "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"cm-secret\"}}");
        assertStatus(
                422,
                "Invalid",
                "Secret \"cm-secret\" is invalid: kind: Invalid value: \"Secret\": must be ConfigMap",
                builtIn);
        assertEquals(404, http.get(CONFIG_MAPS + "/cm-secret").code());
    }

    private static void assertTypeMeta(String apiVersion, String kind, JsonObject object) {
        assertEquals(apiVersion, object.get("apiVersion").getAsString(), object::toString);
        assertEquals(kind, object.get("kind").getAsString(), object::toString);
    }

    private static void assertStatus(int code, String reason, String message, SimHttp.Reply reply) {
        assertEquals(code, reply.code(), reply.body());
        JsonObject status = reply.json();
        assertEquals("Status", status.get("kind").getAsString());
        assertEquals(reason, status.get("reason").getAsString());
        assertEquals(message, status.get("message").getAsString());
    }

    private static JsonObject item(JsonObject list, String name) {
        for (JsonElement item : list.getAsJsonArray("items")) {
            JsonObject object = item.getAsJsonObject();
            if (name.equals(object.getAsJsonObject("metadata").get("name").getAsString())) {
                return object;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }
}
