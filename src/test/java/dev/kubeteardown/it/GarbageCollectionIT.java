package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.BACKUP_VOLUMES;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.PropagationPolicy;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real garbage collector (kube-controller-manager) deletes Backups owned by a deleted BackupVolume; the backup
 * step then only finds the un-owned (failed) backups. Skipped when the fixture runs without a controller manager.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class GarbageCollectionIT {

    private static final int VOLUMES = 3;
    private static final int BACKUPS_PER_VOLUME = 4;
    private static final Set<String> FAILED = Set.of("failed-1", "failed-2", "failed-3");
    /** The GC takes ~0.1 s here; a type it missed would wait for its 30 s discovery resync. */
    private static final Duration GC_TIMEOUT = Duration.ofSeconds(45);

    private final RealApiServer server;
    private ItNamespace ns;

    GarbageCollectionIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        assumeTrue(
                server.hasGarbageCollector(),
                "no kube-controller-manager in the binaries directory: no garbage collector");
        ns = ItNamespace.create(server, "gc");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    /** Volumes without finalizers, backups owned by them, and failed backups without an owner; returns owned names. */
    private Set<String> seed(boolean blockOwnerDeletion) throws Exception {
        Set<String> owned = new TreeSet<>();
        List<ItNamespace.BackupSpec> specs = new ArrayList<>();
        for (int v = 1; v <= VOLUMES; v++) {
            Map<String, Object> bv = ns.createBackupVolume("bv-" + v, "vol-" + v, List.of(), Map.of());
            for (int b = 1; b <= BACKUPS_PER_VOLUME; b++) {
                String name = "backup-" + v + "-" + b;
                owned.add(name);
                specs.add(backup(name).label("backup-volume", "vol-" + v).ownedBy(bv, blockOwnerDeletion));
            }
        }
        for (String name : FAILED) {
            specs.add(backup(name).label("backup-volume", "vol-gone"));
        }
        ns.createAll(specs, 8);
        return owned;
    }

    @Test
    @DisplayName(
            "BackupstoreCleanup deletes the volumes, the real GC deletes their backups, BackupCleanup finds only the failed ones")
    void garbageCollectorRemovesOwnedBackups() throws Exception {
        Set<String> owned = seed(false);
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport volumes = BackupstoreCleanup.builder(client)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();
        long volumesGone = System.nanoTime();
        assertEquals(VOLUMES, volumes.count(Outcome.Status.DELETED), volumes.table());
        for (RequestLog.Sent delete : log.matching(RequestLog.delete(BACKUP_VOLUMES))) {
            assertTrue(delete.body().contains("\"propagationPolicy\":\"Background\""), delete.body());
        }
        // not a synchronisation of the cleanup: the garbage collector is what this test observes
        RealApiServer.await(
                "the garbage collector to delete the owned backups",
                GC_TIMEOUT,
                () -> ns.names(BACKUPS).equals(FAILED) ? Optional.of(true) : Optional.empty());
        long gcMillis = (System.nanoTime() - volumesGone) / 1_000_000;

        CleanupReport backups = BackupCleanup.builder(client)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertEquals(FAILED, DeleteRaceIT.names(backups, Outcome.Status.DELETED), backups.table());
        assertEquals(FAILED.size(), backups.outcomes().size(), backups.table());
        assertEquals(FAILED, log.deletesPerName(BACKUPS).keySet(), "no DELETE for an owned backup: " + log.describe());
        assertEquals(Set.of(), ns.names(BACKUPS));
        assertEquals(Set.of(), ns.names(BACKUP_VOLUMES));
        ItTiming.print(
                "GC cascade: %d owned backups garbage-collected within %d ms after their %d volumes were confirmed gone",
                owned.size(), gcMillis, VOLUMES);
    }

    @Test
    @DisplayName(
            "with PropagationPolicy.FOREGROUND the volumes go only after the GC removed their backups: nothing to await")
    void foregroundDeletionWaitsForBackups() throws Exception {
        seed(true);
        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);

        CleanupReport volumes = BackupstoreCleanup.builder(client)
                .namespace(ns.name())
                .propagationPolicy(PropagationPolicy.FOREGROUND)
                .timeout(Duration.ofSeconds(30))
                .build()
                .run();

        assertEquals(VOLUMES, volumes.count(Outcome.Status.DELETED), volumes.table());
        for (RequestLog.Sent delete : log.matching(RequestLog.delete(BACKUP_VOLUMES))) {
            assertTrue(delete.body().contains("\"propagationPolicy\":\"Foreground\""), delete.body());
        }
        assertEquals(FAILED, ns.names(BACKUPS), "the owned backups went before their volumes");

        CleanupReport backups =
                BackupCleanup.builder(client).namespace(ns.name()).build().run();
        assertEquals(FAILED, DeleteRaceIT.names(backups, Outcome.Status.DELETED), backups.table());
        assertEquals(Set.of(), ns.names(BACKUPS));
        ItTiming.print(
                "GC foreground: %d volumes with %d blocking backups each gone in %d ms",
                VOLUMES, BACKUPS_PER_VOLUME, volumes.duration().toMillis());
    }
}
