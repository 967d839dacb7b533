package dev.kubeteardown.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.Longhorn;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** A fabric8 client or Config turned into an ApiClient: cleanups on the mock, credentials on the wire, TLS mapping. */
class Fabric8ClientsTest {

    static final ResourceType CONFIG_MAPS = ResourceType.core("v1", "configmaps");
    static final String NS = "e2e";

    /** One request as the mock saw it, with the headers that carry credentials. */
    record Seen(String method, String path, String authorization, String impersonateUser) {}

    MockCluster cluster;
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cluster = MockCluster.start().intercept((request, c) -> {
            seen.add(new Seen(
                    request.getMethod(),
                    request.getPath(),
                    request.getHeader("Authorization"),
                    request.getHeader("Impersonate-User")));
            return null;
        });
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** A fabric8 config for the mock, nothing else set (no kubeconfig, no system properties). */
    Config mockConfig() {
        Config config = Config.empty();
        config.setMasterUrl(cluster.url());
        return config;
    }

    void seedConfigMaps(int n) {
        for (int i = 0; i < n; i++) {
            cluster.create(CONFIG_MAPS, NS, "cm-" + i);
        }
    }

    CleanupReport cleanConfigMaps(ApiClient client) {
        return Cleanup.builder(client, CONFIG_MAPS).namespace(NS).build().execute();
    }

    @Test
    @DisplayName("the mock's own fabric8 client, converted, runs a Longhorn backup cleanup to the end")
    void kubernetesClientOfTheMockRunsABackupCleanup() {
        ResourceType backups = Longhorn.backups("v1beta2");
        for (int i = 0; i < 4; i++) {
            cluster.create(backups, Longhorn.DEFAULT_NAMESPACE, "backup-" + i);
        }

        CleanupReport report = BackupCleanup.builder(Fabric8Clients.apiClient(cluster.fabric()))
                .build()
                .execute();

        assertTrue(report.isClean(), report::table);
        assertEquals(4, report.count(Outcome.Status.DELETED), report::table);
        assertEquals(0, cluster.countObjects(backups, Longhorn.DEFAULT_NAMESPACE));
        assertEquals(4, cluster.count("DELETE", "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/backups/"));
    }

    @Test
    @DisplayName("the fabric8 config's bearer token is on every request of the cleanup")
    void bearerTokenOnEveryRequest() {
        seedConfigMaps(3);
        Config config = mockConfig();
        config.setOauthToken("token-0123456789");

        CleanupReport report = cleanConfigMaps(Fabric8Clients.apiClient(config));

        assertEquals(3, report.count(Outcome.Status.DELETED), report::table);
        assertEquals(3, seen.stream().filter(s -> s.method().equals("DELETE")).count(), seen::toString);
        assertTrue(seen.size() >= 4, seen::toString); // the list, 3 deletes, then the wait's lists
        seen.forEach(s -> assertEquals("Bearer token-0123456789", s.authorization(), s::toString));
    }

    @Test
    @DisplayName("an auto-configured token (exec plugin, OIDC, service account) is sent when no explicit one is set")
    void autoOAuthToken() {
        seedConfigMaps(1);
        Config config = mockConfig();
        config.setAutoOAuthToken("auto-token");

        assertTrue(cleanConfigMaps(Fabric8Clients.apiClient(config)).isClean());

        assertFalse(seen.isEmpty());
        seen.forEach(s -> assertEquals("Bearer auto-token", s.authorization(), s::toString));
    }

    @Test
    @DisplayName("the token is read per request: a token fabric8 refreshes is used by the next run, not frozen")
    void tokenIsReadPerRequest() {
        AtomicReference<String> current = new AtomicReference<>("first");
        Config config = mockConfig();
        config.setOauthTokenProvider(current::get);
        ApiClient client = Fabric8Clients.apiClient(config);

        seedConfigMaps(2);
        assertTrue(cleanConfigMaps(client).isClean());
        int firstRun = seen.size();
        current.set("second");
        seedConfigMaps(2);
        assertTrue(cleanConfigMaps(client).isClean());

        seen.subList(0, firstRun).forEach(s -> assertEquals("Bearer first", s.authorization(), s::toString));
        List<Seen> second = seen.subList(firstRun, seen.size());
        assertFalse(second.isEmpty());
        second.forEach(s -> assertEquals("Bearer second", s.authorization(), s::toString));
    }

    @Test
    @DisplayName("a 401 makes fabric8 refresh the token and the request is sent once more with the new one")
    void unauthorizedRefreshesAndRetriesOnce() {
        seedConfigMaps(2);
        AtomicInteger asked = new AtomicInteger();
        Config config = mockConfig();
        config.setOauthTokenProvider(() -> asked.getAndIncrement() == 0 ? "expired" : "fresh");
        cluster.intercept(rejectToken("Bearer expired"));

        CleanupReport report = cleanConfigMaps(Fabric8Clients.apiClient(config));

        assertTrue(report.isClean(), report::table);
        assertEquals(2, report.count(Outcome.Status.DELETED), report::table);
        assertEquals("Bearer expired", seen.get(0).authorization());
        assertEquals("Bearer fresh", seen.get(1).authorization());
        assertEquals(seen.get(0).path(), seen.get(1).path(), "the refused request was sent again");
        seen.subList(1, seen.size()).forEach(s -> assertEquals("Bearer fresh", s.authorization(), s::toString));
    }

    @Test
    @DisplayName("a 401 with a fixed token is not retried: the run stops with the refusal")
    void unauthorizedWithFixedTokenIsNotRetried() {
        seedConfigMaps(1);
        Config config = mockConfig();
        config.setOauthToken("revoked");
        cluster.intercept(rejectToken("Bearer revoked"));

        CleanupConfigurationException e = assertThrows(
                CleanupConfigurationException.class, () -> cleanConfigMaps(Fabric8Clients.apiClient(config)));

        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertFalse(e.getMessage().contains("revoked"), "the token is not in the message: " + e.getMessage());
        assertEquals(1, seen.size(), seen::toString);
        assertEquals(1, cluster.countObjects(CONFIG_MAPS, NS));
    }

    @Test
    @DisplayName("basic auth when the fabric8 config has a user name and a password")
    void basicAuth() {
        seedConfigMaps(1);
        Config config = mockConfig();
        config.setUsername("admin");
        config.setPassword("s3cret");

        assertTrue(cleanConfigMaps(Fabric8Clients.apiClient(config)).isClean());

        String expected =
                "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
        assertFalse(seen.isEmpty());
        seen.forEach(s -> assertEquals(expected, s.authorization(), s::toString));
    }

    @Test
    @DisplayName("impersonation set in the fabric8 config is sent, so the cleanup acts as the same user")
    void impersonation() {
        seedConfigMaps(1);
        Config config = mockConfig();
        config.setOauthToken("token");
        config.setImpersonateUsername("alice");

        assertTrue(cleanConfigMaps(Fabric8Clients.apiClient(config)).isClean());

        assertFalse(seen.isEmpty());
        seen.forEach(s -> assertEquals("alice", s.impersonateUser(), s::toString));
    }

    @Test
    @DisplayName("no credentials in the fabric8 config: no Authorization header")
    void noCredentials() {
        seedConfigMaps(1);

        assertTrue(cleanConfigMaps(Fabric8Clients.apiClient(mockConfig())).isClean());

        assertFalse(seen.isEmpty());
        seen.forEach(s -> assertNull(s.authorization(), s::toString));
    }

    @Test
    @DisplayName("connection and request timeouts become the connect and call timeouts; reads stay unlimited")
    void timeouts() {
        Config config = mockConfig();
        config.setConnectionTimeout(1234);
        config.setRequestTimeout(5678);

        OkHttpClient http = Fabric8Clients.apiClient(config).getHttpClient();

        assertEquals(1234, http.connectTimeoutMillis());
        assertEquals(5678, http.callTimeoutMillis());
        assertEquals(0, http.readTimeoutMillis(), "a quiet watch must not be cut");
    }

    @Test
    @DisplayName("the converted client's description holds no credential")
    void noSecretInToString() {
        Config config = mockConfig();
        config.setOauthToken("token-never-printed");
        config.setPassword("password-never-printed");

        ApiClient client = Fabric8Clients.apiClient(config);

        String text = client.getHttpClient().interceptors() + " " + client;
        assertFalse(text.contains("never-printed"), text);
    }

    @Test
    @DisplayName("a config with a Java key store is refused with the field named")
    void refusedConfigs() {
        Config keyStore = mockConfig();
        keyStore.setKeyStoreFile("/etc/keystore.jks");
        String message = assertThrows(IllegalArgumentException.class, () -> Fabric8Clients.apiClient(keyStore))
                .getMessage();
        assertTrue(message.contains("keyStoreFile"), message);
    }

    @Test
    @DisplayName("the supplier converts the fabric8 client when asked, once per client instance")
    void supplierConvertsLazilyOncePerClient() {
        AtomicReference<KubernetesClient> fabric = new AtomicReference<>();
        Supplier<ApiClient> supplier = Fabric8Clients.supplier(fabric::get);

        assertNull(supplier.get(), "no fabric8 client yet");
        fabric.set(cluster.fabric());
        ApiClient first = supplier.get();
        assertSame(first, supplier.get());
        try (MockCluster other = MockCluster.start()) {
            fabric.set(other.fabric());
            ApiClient second = supplier.get();
            assertFalse(first == second, "a new fabric8 client gets its own ApiClient");
            assertEquals(other.url().replaceAll("/$", ""), second.getBasePath());
        }
    }

    /** The fabric8 CRUD mock over HTTPS, with its self-signed certificate. */
    static final class HttpsMock implements AutoCloseable {
        final MockWebServer web = new MockWebServer();
        final KubernetesMockServer server;
        final KubernetesClient fabric;

        HttpsMock() {
            var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
            server = new KubernetesMockServer(
                    new Context(Serialization.jsonMapper()),
                    web,
                    responses,
                    new KubernetesMixedDispatcher(responses),
                    true);
            server.init();
            fabric = server.createClient();
        }

        Config config() {
            Config config = Config.empty();
            config.setMasterUrl(server.url("/"));
            return config;
        }

        String certificatePath() {
            return web.getSelfSignedCertificate().certificatePath();
        }

        @Override
        public void close() {
            fabric.close();
            server.destroy();
        }
    }

    static void createConfigMap(KubernetesClient client, String name) {
        Fabric8ExtensionTest.createConfigMap(client, name);
    }

    private static MockCluster.Interceptor rejectToken(String authorization) {
        return (RecordedRequest request, MockCluster c) -> authorization.equals(request.getHeader("Authorization"))
                ? MockCluster.status(401, "Unauthorized", "Unauthorized")
                : null;
    }

    /** Certificates: a self-signed key pair in PEM files, used as the client certificate and as a CA. */
    @Nested
    class Certificates {

        static SelfSignedCertificate pair;

        @BeforeAll
        static void createPair() {
            pair = SelfSignedCertificate.create("localhost");
        }

        @AfterAll
        static void deletePair() {
            pair.delete();
        }

        X509Certificate certificate() throws Exception {
            try (var in = Files.newInputStream(Path.of(pair.certificatePath()))) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }

        String base64(String path) throws Exception {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(path)));
        }

        X509Certificate clientCertificateOf(ApiClient client) {
            KeyManager[] managers = client.getKeyManagers();
            assertNotNull(managers, "a client certificate gives key managers");
            X509KeyManager manager = (X509KeyManager) managers[0];
            String[] aliases = manager.getClientAliases("RSA", null);
            assertNotNull(aliases, "the key manager offers an RSA client certificate");
            return manager.getCertificateChain(aliases[0])[0];
        }

        @Test
        @DisplayName("client certificate and key from files")
        void clientCertificateFromFiles() throws Exception {
            Config config = mockConfig();
            config.setClientCertFile(pair.certificatePath());
            config.setClientKeyFile(pair.privateKeyPath());

            assertEquals(certificate(), clientCertificateOf(Fabric8Clients.apiClient(config)));
        }

        @Test
        @DisplayName("client certificate and key as base64 data, as a kubeconfig holds them, or as plain PEM")
        void clientCertificateFromData() throws Exception {
            Config base64 = mockConfig();
            base64.setClientCertData(base64(pair.certificatePath()));
            base64.setClientKeyData(base64(pair.privateKeyPath()));
            assertEquals(certificate(), clientCertificateOf(Fabric8Clients.apiClient(base64)));

            Config pem = mockConfig();
            pem.setClientCertData(Files.readString(Path.of(pair.certificatePath())));
            pem.setClientKeyData(Files.readString(Path.of(pair.privateKeyPath())));
            assertEquals(certificate(), clientCertificateOf(Fabric8Clients.apiClient(pem)));
        }

        @Test
        @DisplayName("a client certificate without its key is refused")
        void certificateWithoutKey() {
            Config config = mockConfig();
            config.setClientCertFile(pair.certificatePath());

            String message = assertThrows(IllegalArgumentException.class, () -> Fabric8Clients.apiClient(config))
                    .getMessage();
            assertEquals("the fabric8 config has a client certificate but no client key", message);
        }

        @Test
        @DisplayName("a missing certificate file is named in the error")
        void missingFile() {
            Config config = mockConfig();
            config.setCaCertFile("/nonexistent/ca.crt");

            String message = assertThrows(IllegalArgumentException.class, () -> Fabric8Clients.apiClient(config))
                    .getMessage();
            assertTrue(message.startsWith("cannot read the CA certificate file /nonexistent/ca.crt"), message);
        }

        @Test
        @DisplayName("over HTTPS the server's certificate is verified against the CA from the fabric8 config")
        void caCertificateVerifiesTheServer() throws Exception {
            try (HttpsMock https = new HttpsMock()) {
                createConfigMap(https.fabric, "cm");
                Config unknownIssuer = https.config();
                CleanupConfigurationException refused = assertThrows(
                        CleanupConfigurationException.class,
                        () -> cleanConfigMaps(Fabric8Clients.apiClient(unknownIssuer)));
                assertTrue(refused.getMessage().contains("certification path"), refused.getMessage());

                Config file = https.config();
                file.setCaCertFile(https.certificatePath());
                assertDeletesOne(Fabric8Clients.apiClient(file));

                Config data = https.config();
                data.setCaCertData(base64(https.certificatePath()));
                createConfigMap(https.fabric, "cm2");
                assertDeletesOne(Fabric8Clients.apiClient(data));

                Config insecure = https.config();
                insecure.setTrustCerts(true);
                createConfigMap(https.fabric, "cm3");
                assertDeletesOne(Fabric8Clients.apiClient(insecure));
            }
        }

        void assertDeletesOne(ApiClient client) {
            CleanupReport report = cleanConfigMaps(client);
            assertTrue(report.isClean(), report::table);
            assertEquals(1, report.count(Outcome.Status.DELETED), report::table);
        }

        @Test
        @DisplayName("TLS verification is off only when the fabric8 config says trustCerts")
        void trustCertsOnlyWhenSet() {
            assertTrue(Fabric8Clients.apiClient(mockConfig()).isVerifyingSsl());

            Config insecure = mockConfig();
            insecure.setTrustCerts(true);
            assertFalse(Fabric8Clients.apiClient(insecure).isVerifyingSsl());
        }
    }
}
