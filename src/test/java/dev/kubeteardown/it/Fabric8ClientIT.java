package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.fabric8.Fabric8Clients;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.LonghornPlans;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fabric8 suite on the real API server: a fabric8 {@link KubernetesClient} with the tier's bearer token and CA
 * file (TLS verified, no trustCerts), converted by {@link Fabric8Clients}, runs cleanups end to end.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class Fabric8ClientIT {

    private static final ResourceType CONFIG_MAPS = ResourceType.core("v1", "configmaps");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final RealApiServer server;
    private ItNamespace ns;
    private KubernetesClient fabric8;

    Fabric8ClientIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void setUp() throws Exception {
        ns = ItNamespace.create(server, "fabric8");
        fabric8 = new KubernetesClientBuilder()
                .withConfig(config(server.adminToken()))
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        fabric8.close();
        ns.close();
    }

    /** What a fabric8 suite has: master URL, token and CA file; no kubeconfig, no trustCerts. */
    private Config config(String token) {
        Config config = Config.empty();
        config.setMasterUrl(server.apiUrl());
        config.setOauthToken(token);
        config.setCaCertFile(server.caFile().toString());
        return config;
    }

    private void createConfigMap(String name, Map<String, String> labels) {
        fabric8.configMaps()
                .inNamespace(ns.name())
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();
    }

    private Set<String> configMapNames() {
        return fabric8.configMaps().inNamespace(ns.name()).list().getItems().stream()
                .map(ConfigMap::getMetadata)
                .map(m -> m.getName())
                .filter(n -> !n.equals("kube-root-ca.crt"))
                .collect(Collectors.toSet());
    }

    @Test
    @DisplayName("objects a fabric8 client created are cleaned through its converted client, TLS verified")
    void cleansWhatTheFabric8ClientCreated() throws Exception {
        IntStream.range(0, 6).forEach(i -> createConfigMap("made-" + i, Map.of("suite", "fabric8")));
        createConfigMap("not-ours", Map.of("suite", "other"));
        ns.createAll(IntStream.range(0, 5).mapToObj(i -> backup("backup-" + i)).toList(), 4);

        ApiClient client = Fabric8Clients.apiClient(fabric8);
        assertTrue(client.isVerifyingSsl(), "the CA file is trusted; verification is not switched off");

        CleanupReport configMaps = Cleanup.builder(client, CONFIG_MAPS)
                .namespace(ns.name())
                .labelSelector("suite=fabric8")
                .timeout(TIMEOUT)
                .build()
                .execute();
        assertTrue(configMaps.isClean(), configMaps.table());
        assertEquals(6, configMaps.count(Outcome.Status.DELETED), configMaps.table());
        assertEquals(Set.of("not-ours"), configMapNames(), "only the selected objects were deleted");

        // a plan too: discovery, then backup volumes, system backups, backups, backup backing images
        CleanupReport backups = LonghornPlans.backups(client)
                .namespace(ns.name())
                .timeout(TIMEOUT)
                .build()
                .execute();
        assertTrue(backups.isClean(), backups.table());
        assertEquals(5, backups.count(Outcome.Status.DELETED), backups.table());
        assertEquals(Set.of(), ns.names(BACKUPS));
    }

    @Test
    @DisplayName("the converted client carries the fabric8 identity: a limited user's deletes are FAILED 403")
    void carriesTheFabric8Identity() throws Exception {
        ns.createAll(List.of(backup("kept-1"), backup("kept-2")), 2);
        try (KubernetesClient limited = new KubernetesClientBuilder()
                .withConfig(config(server.limitedToken()))
                .build()) {
            CleanupReport report = BackupCleanup.builder(Fabric8Clients.apiClient(limited))
                    .namespace(ns.name())
                    .timeout(TIMEOUT)
                    .build()
                    .execute();

            assertEquals(2, report.count(Outcome.Status.FAILED), report.table());
            for (Outcome o : report.outcomes()) {
                assertEquals(403, o.httpStatus(), o.toString());
                assertTrue(o.detail().contains("User \"" + RealApiServer.LIMITED_USER + "\""), o.detail());
            }
            assertEquals(Set.of("kept-1", "kept-2"), ns.names(BACKUPS));
        }
    }

    @Test
    @DisplayName("a refreshed token (an exec plugin's, an OIDC one) is used after a 401 without a new ApiClient")
    void refreshedTokenAfter401() throws Exception {
        ns.createAll(List.of(backup("b-1"), backup("b-2")), 2);
        AtomicInteger asked = new AtomicInteger();
        Config config = config(null);
        // the first token the provider hands out has expired; fabric8 asks again after the 401
        config.setOauthTokenProvider(() -> asked.getAndIncrement() == 0 ? "expired-token" : server.adminToken());
        ApiClient client = Fabric8Clients.apiClient(config);
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport report = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(TIMEOUT)
                .build()
                .execute();

        assertTrue(report.isClean(), report.table());
        assertEquals(2, report.count(Outcome.Status.DELETED), report.table());
        List<RequestLog.Sent> sent = log.all();
        assertNotNull(sent.get(0));
        assertEquals(401, sent.get(0).code(), sent.toString());
        assertEquals(
                1, sent.stream().filter(s -> s.code() == 401).count(), "one refused request, sent once more: " + sent);
        assertEquals(sent.get(0).url(), sent.get(1).url(), sent.toString());
        assertEquals(Set.of(), ns.names(BACKUPS));
    }
}
