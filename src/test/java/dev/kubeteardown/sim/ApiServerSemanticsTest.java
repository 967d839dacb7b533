package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator answers like kube-apiserver where the plain fabric8 mock does not. */
class ApiServerSemanticsTest {

    private static final String LH = LonghornResources.NAMESPACE;
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static LonghornSimulator sim;
    private static SeededBackupstore seeded;
    private static SimHttp http;
    private static DynamicKubernetesApi backups;

    @BeforeAll
    static void start() {
        sim = LonghornSimulator.builder().start();
        seeded = sim.seed(BackupstoreSpec.of(4, 5).failedBackups(3).seed(11));
        http = new SimHttp(sim);
        backups = new DynamicKubernetesApi("longhorn.io", "v1beta2", "backups", sim.apiClient());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void notFoundCarriesARealStatusBody() {
        SimHttp.Reply reply = http.get(NS + "backups/missing");
        assertEquals(404, reply.code());
        assertEquals(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"backups.longhorn.io \\\"missing\\\" not found\",\"reason\":\"NotFound\","
                        + "\"details\":{\"name\":\"missing\",\"group\":\"longhorn.io\",\"kind\":\"backups\"},\"code\":404}",
                reply.body());
        KubernetesApiResponse<DynamicKubernetesObject> deleted = backups.delete(LH, "missing");
        assertEquals(404, deleted.getHttpStatusCode());
        assertEquals("NotFound", deleted.getStatus().getReason());
    }

    @Test
    void uidPreconditionMismatchIsConflictAndKeepsTheObject() {
        String name = createBackup(false);
        String uid = backups.get(LH, name).getObject().getMetadata().getUid();
        DeleteOptions options = new DeleteOptions();
        options.setPreconditions(new V1Preconditions().uid("not-" + uid));
        KubernetesApiResponse<DynamicKubernetesObject> response = backups.delete(LH, name, options);
        assertEquals(409, response.getHttpStatusCode());
        assertEquals("Conflict", response.getStatus().getReason());
        assertEquals(
                "Operation cannot be fulfilled on backups.longhorn.io \"" + name + "\": Precondition failed: "
                        + "UID in precondition: not-" + uid + ", UID in object meta: " + uid,
                response.getStatus().getMessage());
        assertTrue(backups.get(LH, name).isSuccess());

        options.setPreconditions(new V1Preconditions().uid(uid));
        assertTrue(backups.delete(LH, name, options).isSuccess());
        assertEquals(404, backups.get(LH, name).getHttpStatusCode());
    }

    @Test
    void resourceVersionPreconditionMismatchIsConflict() {
        String name = createBackup(false);
        SimHttp.Reply reply = http.delete(NS + "backups/" + name, "{\"preconditions\":{\"resourceVersion\":\"1\"}}");
        assertEquals(409, reply.code());
        assertTrue(
                reply.json()
                        .get("message")
                        .getAsString()
                        .contains("Precondition failed: ResourceVersion in "
                                + "precondition: 1, ResourceVersion in object meta: "),
                reply.body());
        assertEquals(200, http.get(NS + "backups/" + name).code());
    }

    @Test
    void dryRunDeleteAnswersButChangesNothing() {
        String name = createBackup(true);
        long before = sim.resourceVersion();
        SimHttp.Reply query = http.delete(NS + "backups/" + name + "?dryRun=All", null);
        assertEquals(200, query.code());
        assertTrue(query.json().getAsJsonObject("metadata").has("deletionTimestamp"), "answered as if deleted");
        SimHttp.Reply body = http.delete(NS + "backups/" + name, "{\"dryRun\":[\"All\"]}");
        assertEquals(200, body.code());
        assertEquals(before, sim.resourceVersion());
        assertFalse(http.get(NS + "backups/" + name)
                .json()
                .getAsJsonObject("metadata")
                .has("deletionTimestamp"));
    }

    @Test
    void finalizersKeepADeletedObjectUntilTheyAreRemoved() {
        String name = createBackup(true);
        SimHttp.Reply deleted = http.delete(NS + "backups/" + name, null);
        assertEquals(200, deleted.code());
        assertNotNull(deleted.json().getAsJsonObject("metadata").get("deletionTimestamp"));
        JsonObject kept = http.get(NS + "backups/" + name).json();
        assertEquals(
                "[\"test.kubeteardown.dev/hold\"]",
                kept.getAsJsonObject("metadata").get("finalizers").toString());

        SimHttp.Reply added = http.patch(
                NS + "backups/" + name,
                "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"another\"}]",
                "application/json-patch+json");
        assertEquals(422, added.code(), "no new finalizers while deleting");

        SimHttp.Reply failedTest = http.patch(
                NS + "backups/" + name,
                "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/0\",\"value\":\"other\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]",
                "application/json-patch+json");
        assertEquals(422, failedTest.code(), failedTest.body());

        SimHttp.Reply released = http.patch(
                NS + "backups/" + name,
                "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/0\",\"value\":\"test.kubeteardown.dev/hold\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]",
                "application/json-patch+json");
        assertEquals(200, released.code(), released.body());
        assertEquals(404, http.get(NS + "backups/" + name).code());
    }

    @Test
    void mergePatchRemovesFinalizersToo() {
        String name = createBackup(true);
        http.delete(NS + "backups/" + name, null);
        SimHttp.Reply released = http.patch(
                NS + "backups/" + name, "{\"metadata\":{\"finalizers\":null}}", "application/merge-patch+json");
        assertEquals(200, released.code());
        assertEquals(404, http.get(NS + "backups/" + name).code());
    }

    @Test
    void strategicMergePatchIsUnsupportedForCustomResources() {
        String name = createBackup(false);
        SimHttp.Reply reply = http.patch(
                NS + "backups/" + name,
                "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}",
                "application/strategic-merge-patch+json");
        assertEquals(415, reply.code());
        assertEquals("UnsupportedMediaType", reply.json().get("reason").getAsString());
    }

    @Test
    void creatingAnExistingNameIsAlreadyExists() {
        String name = createBackup(false);
        SimHttp.Reply reply = http.post(NS + "backups", backupJson(name, false));
        assertEquals(409, reply.code());
        assertEquals("AlreadyExists", reply.json().get("reason").getAsString());
        assertEquals(
                "backups.longhorn.io \"" + name + "\" already exists",
                reply.json().get("message").getAsString());
    }

    @Test
    void statusIsASubresource() {
        String name = "status-" + NAMES.incrementAndGet();
        SimHttp.Reply created = http.post(
                NS + "backups", "{\"metadata\":{\"name\":\"" + name + "\"}," + "\"status\":{\"state\":\"Completed\"}}");
        assertEquals(201, created.code());
        assertNull(created.json().get("status"), "status is dropped on create");
        JsonObject object = created.json();
        object.add("status", JsonParser.parseString("{\"state\":\"Error\"}"));
        object.add("spec", JsonParser.parseString("{\"snapshotName\":\"s\"}"));
        SimHttp.Reply main = http.put(NS + "backups/" + name, object.toString());
        assertEquals(200, main.code());
        assertNull(main.json().get("status"), "the main resource ignores status");
        assertEquals(
                2, main.json().getAsJsonObject("metadata").get("generation").getAsInt());
        object = main.json();
        object.add("status", JsonParser.parseString("{\"state\":\"Error\"}"));
        SimHttp.Reply status = http.put(NS + "backups/" + name + "/status", object.toString());
        assertEquals(200, status.code(), status.body());
        assertEquals(
                "Error", status.json().getAsJsonObject("status").get("state").getAsString());
        assertEquals(
                2, status.json().getAsJsonObject("metadata").get("generation").getAsInt());

        SimHttp.Reply stale = http.put(NS + "backups/" + name, object.toString());
        assertEquals(409, stale.code(), "the resourceVersion in the body is a precondition");
        assertTrue(stale.json()
                .get("message")
                .getAsString()
                .endsWith("the object has been modified; please apply "
                        + "your changes to the latest version and try again"));
    }

    @Test
    void paginationReturnsEveryObjectExactlyOnceFromOneSnapshot() throws Exception {
        List<String> all = new ArrayList<>();
        backups.list(LH)
                .getObject()
                .getItems()
                .forEach(o -> all.add(o.getMetadata().getName()));
        assertEquals(all.stream().sorted().toList(), all, "key order");

        List<String> paged = new ArrayList<>();
        String token = null;
        String resourceVersion = null;
        int pages = 0;
        do {
            KubernetesApiResponse<DynamicKubernetesListObject> page = backups.list(
                            LH, new ListOptions().limit(3)._continue(token))
                    .throwsApiException();
            page.getObject().getItems().forEach(o -> paged.add(o.getMetadata().getName()));
            String pageVersion = page.getObject().getMetadata().getResourceVersion();
            if (resourceVersion == null) {
                resourceVersion = pageVersion;
                createBackup(false); // not visible to the rest of this list: it is served from one snapshot
            }
            assertEquals(resourceVersion, pageVersion);
            token = page.getObject().getMetadata().getContinue();
            if (token != null) {
                assertEquals(
                        all.size() - paged.size(),
                        page.getObject().getMetadata().getRemainingItemCount());
            }
            pages++;
        } while (token != null);
        assertEquals(all, paged);
        assertEquals((all.size() + 2) / 3, pages);
    }

    @Test
    void continueTokensAreCheckedAndExpire() {
        assertEquals(
                400, http.get(NS + "backups?limit=2&continue=bm90LWEtdG9rZW4").code());
        try (LonghornSimulator expiring = LonghornSimulator.builder()
                .continueTokenTtl(Duration.ZERO)
                .seed(BackupstoreSpec.of(1, 5))
                .start()) {
            SimHttp raw = new SimHttp(expiring);
            String token = raw.get(NS + "backups?limit=2")
                    .json()
                    .getAsJsonObject("metadata")
                    .get("continue")
                    .getAsString();
            SimHttp.Reply expired = raw.get(NS + "backups?limit=2&continue=" + token);
            assertEquals(410, expired.code());
            assertEquals("Expired", expired.json().get("reason").getAsString());
            String inconsistent =
                    expired.json().getAsJsonObject("metadata").get("continue").getAsString();
            SimHttp.Reply rest = raw.get(NS + "backups?continue=" + inconsistent);
            assertEquals(200, rest.code());
            assertEquals(3, rest.json().getAsJsonArray("items").size(), "the rest after the first page");
        }
    }

    @Test
    void setBasedLabelSelectorsAreHonoured() {
        String v0 = seeded.volumes().get(0);
        String v1 = seeded.volumes().get(1);
        int perVolume = 5;
        int completed = seeded.backups().size();
        int failed = seeded.failedBackups().size();
        // failed backups carry the backup-volume label too (Longhorn 1.8+): some name v0 or v1
        Map<String, Integer> failedOn = new HashMap<>();
        for (String name : seeded.failedBackups()) {
            String volume = http.get(NS + "backups/" + name)
                    .json()
                    .getAsJsonObject("metadata")
                    .getAsJsonObject("labels")
                    .get("backup-volume")
                    .getAsString();
            failedOn.merge(volume, 1, Integer::sum);
        }
        int onV0 = failedOn.getOrDefault(v0, 0);
        int onV1 = failedOn.getOrDefault(v1, 0);
        assertEquals(2 * perVolume + onV0 + onV1, count("backup-volume in (" + v0 + "," + v1 + ")"));
        assertEquals(completed + failed - perVolume - onV0, count("backup-volume,backup-volume notin (" + v0 + ")"));
        assertEquals(0, count("!backup-volume,backup-target"));
        assertEquals(completed + failed, count("backup-volume"));
        assertEquals(completed + failed - perVolume - onV0, count("backup-target=default,backup-volume!=" + v0));
        assertEquals(
                400,
                http.get(NS + "backups?labelSelector=" + encode("backup-volume in (a b"))
                        .code());
    }

    @Test
    void fieldSelectorsSupportNameAndNamespaceOnly() {
        String name = seeded.backups().get(3);
        assertEquals(
                1,
                backups.list(LH, new ListOptions().fieldSelector("metadata.name=" + name))
                        .getObject()
                        .getItems()
                        .size());
        assertEquals(
                count(null) - 1,
                backups.list(LH, new ListOptions().fieldSelector("metadata.name!=" + name))
                        .getObject()
                        .getItems()
                        .size());
        assertEquals(
                0,
                backups.list(LH, new ListOptions().fieldSelector("metadata.namespace=other"))
                        .getObject()
                        .getItems()
                        .size());
        SimHttp.Reply unsupported = http.get(NS + "backups?fieldSelector=" + encode("status.state=Error"));
        assertEquals(400, unsupported.code());
        assertEquals(
                "field label not supported: status.state",
                unsupported.json().get("message").getAsString());
    }

    @Test
    void unservedVersionsAndResourcesAre404WithStatus() {
        for (String path : List.of(
                "/apis/longhorn.io/v1beta1/namespaces/longhorn-system/backups",
                "/apis/longhorn.io/v1beta1",
                NS + "nosuchthings")) {
            SimHttp.Reply reply = http.get(path);
            assertEquals(404, reply.code(), path);
            assertEquals(
                    "the server could not find the requested resource",
                    reply.json().get("message").getAsString());
        }
        try (LonghornSimulator custom =
                LonghornSimulator.builder().notServed("example.com", "v1").start()) {
            assertEquals(
                    404,
                    new SimHttp(custom)
                            .get("/apis/example.com/v1/namespaces/x/things")
                            .code());
        }
    }

    @Test
    void discoveryListsTheLonghornKinds() {
        JsonObject list = http.get("/apis/longhorn.io/v1beta2").json();
        assertEquals("APIResourceList", list.get("kind").getAsString());
        List<String> names = new ArrayList<>();
        for (JsonElement resource : list.getAsJsonArray("resources")) {
            names.add(resource.getAsJsonObject().get("name").getAsString());
        }
        assertTrue(
                names.containsAll(List.of(
                        "backups",
                        "backupvolumes",
                        "backuptargets",
                        "systembackups",
                        "backupbackingimages",
                        "volumes",
                        "snapshots")),
                names.toString());
        assertEquals(
                "longhorn.io/v1beta2",
                http.get("/apis/longhorn.io")
                        .json()
                        .getAsJsonObject("preferredVersion")
                        .get("groupVersion")
                        .getAsString());
    }

    @Test
    void otherResourcesFallThroughToTheCrudMockWithStatus404s() {
        assertEquals(200, http.get("/api/v1/namespaces/longhorn-system").code());
        assertEquals(200, http.get("/version").code(), "fabric8's expectations still answer");
        String configMaps = "/api/v1/namespaces/longhorn-system/configmaps";
        assertEquals(
                201,
                http.post(
                                configMaps,
                                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"," + "\"metadata\":{\"name\":\"cm\"}}")
                        .code());
        assertEquals(200, http.get(configMaps + "/cm").code());
        SimHttp.Reply missing = http.get(configMaps + "/absent");
        assertEquals(404, missing.code());
        assertEquals(
                "configmaps \"absent\" not found", missing.json().get("message").getAsString());
        assertEquals(405, http.get(configMaps + "?watch=true").code(), "the mock cannot watch over HTTP");
    }

    @Test
    void creatingInAMissingNamespaceIsNotFound() {
        SimHttp.Reply reply = http.post("/apis/longhorn.io/v1beta2/namespaces/nope/backups", backupJson("x", false));
        assertEquals(404, reply.code());
        assertEquals(
                "namespaces \"nope\" not found", reply.json().get("message").getAsString());
    }

    @Test
    void deleteCollectionHonoursSelectors() {
        String a = createBackup(false);
        String b = createBackup(false);
        http.patch(
                NS + "backups/" + a,
                "{\"metadata\":{\"labels\":{\"doomed\":\"yes\"}}}",
                "application/merge-patch+json");
        SimHttp.Reply reply = http.delete(NS + "backups?labelSelector=doomed", null);
        assertEquals(200, reply.code());
        assertEquals(1, reply.json().getAsJsonArray("items").size());
        assertEquals(404, http.get(NS + "backups/" + a).code());
        assertEquals(200, http.get(NS + "backups/" + b).code());
    }

    @Test
    void extraResourceTypesGetTheSameSemantics() {
        ApiResource widgets = ApiResource.namespaced("example.com", "v1", "Widget", "widgets");
        try (LonghornSimulator custom =
                LonghornSimulator.builder().serve(widgets).start()) {
            SimHttp raw = new SimHttp(custom);
            String path = "/apis/example.com/v1/namespaces/default/widgets";
            assertEquals(
                    201,
                    raw.post(path, "{\"metadata\":{\"name\":\"w\",\"finalizers\":[\"x\"]}}")
                            .code());
            assertEquals(200, raw.delete(path + "/w", null).code());
            assertTrue(raw.get(path + "/w").json().getAsJsonObject("metadata").has("deletionTimestamp"));
            assertEquals(
                    "widgets.example.com \"nope\" not found",
                    raw.get(path + "/nope").json().get("message").getAsString());
            assertEquals(
                    404,
                    raw.get("/apis/example.com/v1/namespaces/default/gadgets").code(),
                    "the group is ours");
        }
    }

    @Test
    void watchOnAnUnknownVersionIsNotFound() {
        assertEquals(
                404,
                http.get("/apis/longhorn.io/v1/namespaces/longhorn-system/backups?watch=true")
                        .code());
    }

    private int count(String labelSelector) {
        ListOptions options = new ListOptions();
        if (labelSelector != null) {
            options.labelSelector(labelSelector);
        }
        KubernetesApiResponse<DynamicKubernetesListObject> list = backups.list(LH, options);
        assertTrue(list.isSuccess(), () -> String.valueOf(list.getStatus()));
        return list.getObject().getItems().size();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Creates a backup labelled {@code kubeteardown.dev/test}, optionally with a finalizer of its own. */
    private static String createBackup(boolean withFinalizer) {
        String name = "created-" + NAMES.incrementAndGet();
        SimHttp.Reply reply = http.post(NS + "backups", backupJson(name, withFinalizer));
        assertEquals(201, reply.code(), reply.body());
        assertNotEquals("", reply.json().getAsJsonObject("metadata").get("uid").getAsString());
        return name;
    }

    private static String backupJson(String name, boolean withFinalizer) {
        return "{\"apiVersion\":\"longhorn.io/v1beta2\",\"kind\":\"Backup\",\"metadata\":{\"name\":\"" + name + "\","
                + "\"labels\":{\"kubeteardown.dev/test\":\"true\"}"
                + (withFinalizer ? ",\"finalizers\":[\"test.kubeteardown.dev/hold\"]" : "") + "},\"spec\":{}}";
    }
}
