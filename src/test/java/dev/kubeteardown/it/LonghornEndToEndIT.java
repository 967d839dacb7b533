package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.BACKUP_VOLUMES;
import static dev.kubeteardown.it.ItNamespace.FINALIZER;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Longhorn's teardown end to end on the real CRDs: a realistic backupstore, the simulated Longhorn controller,
 * {@link BackupstoreCleanup} then {@link BackupCleanup}.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class LonghornEndToEndIT {

    private static final int VOLUMES = 5;
    private static final int BACKUPS_PER_VOLUME = 20;
    private static final int FAILED_BACKUPS = 3;

    private final RealApiServer server;
    private ItNamespace ns;

    LonghornEndToEndIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "longhorn");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName(
            "5 volumes x 20 backups with owners and finalizers + 3 failed backups, controller running: both steps clean, store empty")
    void backupstoreThenBackupsLeavesStoreEmpty() throws Exception {
        Map<String, String> target = Map.of("backup-target", "default");
        List<ItNamespace.BackupSpec> specs = new ArrayList<>();
        for (int v = 1; v <= VOLUMES; v++) {
            String volume = "pvc-" + v;
            Map<String, Object> bv = ns.createBackupVolume(volume + "-bv", volume, List.of(FINALIZER), target);
            for (int b = 1; b <= BACKUPS_PER_VOLUME; b++) {
                specs.add(backup(String.format("backup-%s-%02d", volume, b))
                        .finalizer(FINALIZER)
                        .labels(target)
                        .label("backup-volume", volume)
                        .ownedBy(bv, false));
            }
        }
        for (int f = 1; f <= FAILED_BACKUPS; f++) {
            // a backup that failed before its volume existed in the backupstore: no owner
            specs.add(backup("backup-failed-" + f)
                    .finalizer(FINALIZER)
                    .labels(target)
                    .label("backup-volume", "pvc-failed-" + f));
        }
        ns.createAll(specs, 8);
        assertEquals(
                VOLUMES * BACKUPS_PER_VOLUME + FAILED_BACKUPS, ns.names(BACKUPS).size());

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        RealServerLonghornController controller =
                RealServerLonghornController.start(ns, Duration.ofMillis(200), Duration.ofMillis(100));
        CleanupReport volumes;
        CleanupReport backups;
        try {
            volumes = BackupstoreCleanup.builder(client)
                    .namespace(ns.name())
                    .timeout(Duration.ofSeconds(30))
                    .build()
                    .run();
            backups = BackupCleanup.builder(client)
                    .namespace(ns.name())
                    .timeout(Duration.ofSeconds(30))
                    .build()
                    .run();
        } finally {
            controller.close();
        }
        assertEquals(0, controller.liveThreads(), "the controller left no thread behind");
        RealServerLonghornController.requireNoErrors(controller);

        assertEquals(VOLUMES, volumes.count(Outcome.Status.DELETED), volumes.table());
        assertTrue(volumes.isClean() && backups.isClean());
        assertEquals(0, backups.count(Outcome.Status.FAILED) + backups.count(Outcome.Status.STUCK), backups.table());
        assertTrue(backups.count(Outcome.Status.DELETED) >= FAILED_BACKUPS, backups.table());
        assertEquals(
                VOLUMES * BACKUPS_PER_VOLUME,
                controller.backupsDeletedByVolumes(),
                "Longhorn (simulated) deleted each volume's backups itself");
        assertEquals(Set.of(), ns.names(BACKUP_VOLUMES));
        assertEquals(Set.of(), ns.names(BACKUPS));
        // every object the backup step listed got exactly one DELETE
        assertTrue(
                log.deletesPerName(BACKUPS).values().stream().allMatch(n -> n == 1),
                log.deletesPerName(BACKUPS).toString());

        ItTiming.print("Longhorn end to end: backupstore step %s", volumes.summary());
        ItTiming.print(
                "Longhorn end to end: backup step %s (of %d backups seeded, %d were still present when it listed;"
                        + " ALREADY_GONE=%d)",
                backups.summary(),
                VOLUMES * BACKUPS_PER_VOLUME + FAILED_BACKUPS,
                backups.outcomes().size(),
                backups.count(Outcome.Status.ALREADY_GONE));
    }
}
