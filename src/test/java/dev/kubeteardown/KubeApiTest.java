package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonParser;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Preconditions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests built on the client's own OkHttpClient keep what {@code ApiClient.buildCall} gave them (token per request,
 * default headers, the client's interceptors, the same DeleteOptions JSON), and a delete's 2xx answer is read for
 * its metadata only.
 */
@Timeout(60)
class KubeApiTest {

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final String OBJECT_PATH = "/apis/longhorn.io/v1beta2/namespaces/ns/backups/b";

    MockCluster cluster;
    final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
    final AtomicReference<MockResponse> answer = new AtomicReference<>();

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
        cluster.intercept((r, c) -> {
            if (!r.getPath().startsWith(OBJECT_PATH)) {
                return null;
            }
            seen.add(r);
            return answer.get();
        });
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    KubeApi.HttpResult delete(ApiClient client, MockResponse response) throws Exception {
        answer.set(response);
        return new KubeApi(client, Duration.ofSeconds(10))
                .delete(
                        BACKUPS,
                        "ns",
                        "b",
                        "uid-b",
                        PropagationPolicy.BACKGROUND,
                        null,
                        false,
                        Deadline.after(Duration.ofSeconds(10), Ticker.SYSTEM));
    }

    static MockResponse json(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    @Test
    @DisplayName("the token is applied per request, with the client's default headers and its interceptors")
    void authenticationDefaultHeadersAndInterceptorsApply() throws Exception {
        ApiClient client = cluster.client();
        client.setApiKeyPrefix("Bearer");
        client.setApiKey("token-1");
        client.addDefaultHeader("Impersonate-User", "ci");
        // how client-java's refreshing authenticators (exec, token files) hook in: an interceptor on the OkHttpClient
        client.setHttpClient(client.getHttpClient()
                .newBuilder()
                .addInterceptor(chain -> chain.proceed(
                        chain.request().newBuilder().header("X-Hook", "ran").build()))
                .build());

        delete(client, json(200, "{\"kind\":\"Status\",\"status\":\"Success\"}"));
        client.setApiKey("token-2"); // refreshed between two requests of one run
        delete(client, json(200, "{\"kind\":\"Status\",\"status\":\"Success\"}"));

        assertEquals(
                List.of("Bearer token-1", "Bearer token-2"),
                seen.stream().map(r -> r.getHeader("Authorization")).toList());
        for (RecordedRequest r : seen) {
            assertEquals("ci", r.getHeader("Impersonate-User"));
            assertEquals("ran", r.getHeader("X-Hook"));
            assertEquals("Kubernetes Java Client/27.0.0-SNAPSHOT", r.getHeader("User-Agent"));
            assertEquals("application/json", r.getHeader("Accept"));
            assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
        }
    }

    @Test
    @DisplayName("the hand-written DeleteOptions is the JSON client-java writes for the same V1DeleteOptions")
    void deleteOptionsMatchClientJavaSerialization() {
        for (boolean dryRun : List.of(false, true)) {
            for (Duration grace : Arrays.asList(null, Duration.ZERO, Duration.ofMillis(500))) {
                for (String uid : Arrays.asList("uid-1", "a\"b\\c<d>\u0001", null)) {
                    V1DeleteOptions options = new V1DeleteOptions()
                            .apiVersion("v1")
                            .kind("DeleteOptions")
                            .preconditions(new V1Preconditions().uid(uid))
                            .propagationPolicy("Foreground");
                    if (grace != null) {
                        options.gracePeriodSeconds(grace.plusNanos(999_999_999L).toSeconds());
                    }
                    if (dryRun) {
                        options.dryRun(List.of("All"));
                    }
                    String ours = new String(
                            KubeApi.deleteOptions(uid, PropagationPolicy.FOREGROUND, grace, dryRun),
                            StandardCharsets.UTF_8);
                    assertEquals(
                            JsonParser.parseString(new JSON().serialize(options)), JsonParser.parseString(ours), ours);
                }
            }
        }
    }

    @Test
    @DisplayName("a 2xx answer carrying the object yields its metadata; a Status, an empty or a non-JSON body none")
    void deleteAnswerIsReadForItsMetadata() throws Exception {
        ApiClient client = cluster.client();
        String held = "{\"apiVersion\":\"longhorn.io/v1beta2\",\"kind\":\"Backup\",\"spec\":{\"x\":[1,{\"y\":null}]},"
                + "\"metadata\":{\"name\":\"b\",\"namespace\":\"ns\",\"uid\":\"uid-b\",\"resourceVersion\":\"42\","
                + "\"deletionTimestamp\":\"2026-01-01T00:00:00Z\",\"finalizers\":[\"longhorn.io\"],"
                + "\"managedFields\":[{\"manager\":\"m\",\"fieldsV1\":{\"f:spec\":{}}}],"
                + "\"ownerReferences\":[{\"kind\":\"BackupVolume\",\"name\":\"v\",\"uid\":\"uid-v\"},{\"name\":\"no-uid\"}]},"
                + "\"status\":{\"state\":\"Completed\"}}\n";

        ObjectRef object = delete(client, json(200, held)).answeredObject();

        assertEquals(
                new ObjectRef(
                        "ns",
                        "b",
                        "uid-b",
                        "42",
                        List.of("longhorn.io"),
                        "2026-01-01T00:00:00Z",
                        List.of(new ObjectRef.Owner("BackupVolume", "v", "uid-v"))),
                object);
        assertEquals(ObjectRef.of(JsonParser.parseString(held).getAsJsonObject()), object, "as the tree reads it");
        for (String body : List.of(
                "{\"kind\":\"Status\",\"status\":\"Success\",\"details\":{\"uid\":\"uid-b\"},\"metadata\":{}}",
                "{\"metadata\":{},\"kind\":\"Status\"}",
                "",
                "not json",
                "{\"kind\":\"Backup\",\"metadata\":\"x\"}",
                "{\"kind\":\"Backup\"")) {
            assertNull(delete(client, json(200, body)).answeredObject(), body);
        }
    }

    @Test
    @DisplayName("an error body is kept for the classifier (up to 64 KiB)")
    void errorBodyIsKeptButBounded() throws Exception {
        ApiClient client = cluster.client();
        KubeApi.HttpResult small = delete(
                client,
                MockCluster.status(409, "Conflict", "Precondition failed: UID in precondition: uid-b, UID in object"));
        assertEquals(409, small.code());
        assertEquals("Precondition failed: UID in precondition: uid-b, UID in object", small.message());

        KubeApi.HttpResult huge = delete(client, json(500, "x".repeat(1_000_000)));
        assertEquals(500, huge.code());
        assertEquals(KubeApi.MAX_ERROR_BODY, huge.body().length());
    }
}
