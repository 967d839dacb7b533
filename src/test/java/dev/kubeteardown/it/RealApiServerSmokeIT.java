package dev.kubeteardown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Checks that the real API server behaves as the notes say: GC of owned backups, Status bodies, RBAC. */
@ExtendWith(RealApiServerExtension.class)
class RealApiServerSmokeIT {

    private static final String GROUP = "longhorn.io";
    private static final String VERSION = "v1beta2";
    private static final String NS = RealApiServer.LONGHORN_NAMESPACE;
    /** Generous: with the CRDs installed before the KCM it takes ~0.1 s; a missed type waits for the 30 s resync. */
    private static final Duration GC_TIMEOUT = Duration.ofSeconds(45);

    private final RealApiServer server;
    private final CustomObjectsApi admin;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);

    RealApiServerSmokeIT(RealApiServer server) {
        this.server = server;
        this.admin = new CustomObjectsApi(server.adminClient());
    }

    @Test
    @DisplayName("the garbage collector deletes a Backup once its owning BackupVolume is deleted")
    void garbageCollectorDeletesOwnedBackup() throws Exception {
        assumeTrue(
                server.hasGarbageCollector(),
                "no kube-controller-manager in the binaries directory: no garbage collector");
        String volume = "smoke-bv-" + suffix;
        String backup = "smoke-b-" + suffix;
        Map<?, ?> created = (Map<?, ?>) admin.createNamespacedCustomObject(
                        GROUP,
                        VERSION,
                        NS,
                        "backupvolumes",
                        Map.of(
                                "apiVersion",
                                GROUP + "/" + VERSION,
                                "kind",
                                "BackupVolume",
                                "metadata",
                                Map.of("name", volume),
                                "spec",
                                Map.of("volumeName", "vol-" + suffix)))
                .execute();
        String uid = (String) ((Map<?, ?>) created.get("metadata")).get("uid");
        assertNotNull(uid, "created BackupVolume has a uid");
        admin.createNamespacedCustomObject(
                        GROUP,
                        VERSION,
                        NS,
                        "backups",
                        Map.of(
                                "apiVersion",
                                GROUP + "/" + VERSION,
                                "kind",
                                "Backup",
                                "metadata",
                                Map.of(
                                        "name",
                                        backup,
                                        "ownerReferences",
                                        List.of(Map.of(
                                                "apiVersion",
                                                GROUP + "/" + VERSION,
                                                "kind",
                                                "BackupVolume",
                                                "name",
                                                volume,
                                                "uid",
                                                uid))),
                                "spec",
                                Map.of("snapshotName", "snap-" + suffix)))
                .execute();

        long t0 = System.nanoTime();
        admin.deleteNamespacedCustomObject(GROUP, VERSION, NS, "backupvolumes", volume)
                .body(new V1DeleteOptions().propagationPolicy("Background"))
                .execute();
        RealApiServer.await("the garbage collector to delete Backup " + backup, GC_TIMEOUT, () -> {
            try {
                admin.getNamespacedCustomObject(GROUP, VERSION, NS, "backups", backup)
                        .execute();
                return Optional.empty();
            } catch (ApiException e) {
                if (e.getCode() == 404) {
                    return Optional.of(true);
                }
                throw e;
            }
        });
        System.err.printf(
                "RealApiServerSmokeIT: Backup garbage-collected %d ms after its BackupVolume was deleted%n",
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    @DisplayName("deleting a missing Backup answers 404 with a Status body")
    void deleteMissingBackupIs404WithStatusBody() {
        ApiException e = assertThrows(
                ApiException.class,
                () -> admin.deleteNamespacedCustomObject(GROUP, VERSION, NS, "backups", "missing-" + suffix)
                        .execute());
        assertEquals(404, e.getCode());
        Map<?, ?> status = new Gson().fromJson(e.getResponseBody(), Map.class);
        assertEquals("Status", status.get("kind"), e.getResponseBody());
        assertEquals("NotFound", status.get("reason"), e.getResponseBody());
        assertEquals(404.0, status.get("code"), e.getResponseBody());
    }

    @Test
    @DisplayName("the limited user may list Backups but deleting one is 403 Forbidden")
    void limitedUserCannotDeleteBackup() throws Exception {
        String backup = "smoke-rbac-" + suffix;
        admin.createNamespacedCustomObject(
                        GROUP,
                        VERSION,
                        NS,
                        "backups",
                        Map.of(
                                "apiVersion",
                                GROUP + "/" + VERSION,
                                "kind",
                                "Backup",
                                "metadata",
                                Map.of("name", backup)))
                .execute();
        try {
            CustomObjectsApi limited = new CustomObjectsApi(server.limitedClient());
            Map<?, ?> list = (Map<?, ?>) limited.listNamespacedCustomObject(GROUP, VERSION, NS, "backups")
                    .execute();
            assertFalse(((List<?>) list.get("items")).isEmpty(), "the limited user sees the backups");

            ApiException e = assertThrows(
                    ApiException.class,
                    () -> limited.deleteNamespacedCustomObject(GROUP, VERSION, NS, "backups", backup)
                            .execute());
            assertEquals(403, e.getCode());
            Map<?, ?> status = new Gson().fromJson(e.getResponseBody(), Map.class);
            assertEquals("Forbidden", status.get("reason"), e.getResponseBody());
            assertTrue(
                    String.valueOf(status.get("message")).contains("\"" + RealApiServer.LIMITED_USER + "\""),
                    e.getResponseBody());
            assertNotNull(
                    admin.getNamespacedCustomObject(GROUP, VERSION, NS, "backups", backup)
                            .execute(),
                    "the backup survived the forbidden delete");
        } finally {
            admin.deleteNamespacedCustomObject(GROUP, VERSION, NS, "backups", backup)
                    .execute();
        }
    }

    @Test
    @DisplayName("a kubeconfig written by the fixture reaches the server and verifies its certificate")
    void writtenKubeconfigWorks(@TempDir Path dir) throws Exception {
        Path file = server.writeKubeconfig(dir.resolve("kubeconfig"), server.adminToken());
        KubeConfig config;
        try (Reader reader = Files.newBufferedReader(file)) {
            config = KubeConfig.loadKubeConfig(reader);
        }
        CustomObjectsApi api =
                new CustomObjectsApi(ClientBuilder.kubeconfig(config).build());
        Map<?, ?> list = (Map<?, ?>)
                api.listNamespacedCustomObject(GROUP, VERSION, NS, "backups").execute();
        assertEquals("BackupList", list.get("kind"));
    }
}
