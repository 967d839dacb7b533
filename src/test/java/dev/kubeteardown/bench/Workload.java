package dev.kubeteardown.bench;

import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import java.time.Duration;
import java.util.Locale;

/**
 * One teardown workload: a seeded Longhorn backupstore (backup volumes with their backups, plus failed backups
 * without an owner, as Longhorn's suite leaves them), the per-request latency of the API server and the controller
 * delays. Every run gets a fresh simulator seeded identically from this definition.
 *
 * @param backups          backups in total ({@code volumes * backupsPerVolume + failedBackups})
 * @param volumes          backup volumes
 * @param backupsPerVolume completed backups owned by each backup volume
 * @param failedBackups    backups in state Error without owner (left for the backup cleanup)
 * @param latency          added to every API response
 */
record Workload(
        int backups,
        int volumes,
        int backupsPerVolume,
        int failedBackups,
        Duration latency,
        ControllerDelays delays,
        long seed) {

    static final long SEED = 42;
    static final int MIN_VOLUMES = 10;
    static final int MAX_VOLUMES = 200;
    static final int BACKUPS_PER_VOLUME_TARGET = 50;

    /**
     * About {@code backups} backups across 10 to 200 backup volumes (one per 50 backups), with one failed backup
     * per volume: 100 = 10 x 9 + 10, 1,000 = 20 x 49 + 20, 10,000 = 200 x 49 + 200.
     */
    static Workload of(int backups, Duration latency, ControllerDelays delays) {
        if (backups < 2) {
            throw new IllegalArgumentException("backups must be >= 2, was " + backups);
        }
        int volumes = Math.max(
                1,
                Math.min(
                        backups / 2,
                        Math.max(MIN_VOLUMES, Math.min(MAX_VOLUMES, backups / BACKUPS_PER_VOLUME_TARGET))));
        int perVolume = Math.max(1, (backups - volumes) / volumes);
        return new Workload(volumes * perVolume + volumes, volumes, perVolume, volumes, latency, delays, SEED);
    }

    BackupstoreSpec spec() {
        return BackupstoreSpec.of(volumes, backupsPerVolume)
                .failedBackups(failedBackups)
                .seed(seed);
    }

    /** Objects the teardown deletes: backup volumes and backups. */
    int objects() {
        return volumes + backups;
    }

    /** A fresh simulator, seeded; the caller closes it. */
    LonghornSimulator start() {
        FaultPlan.Builder faults = FaultPlan.builder().seed(seed);
        if (!latency.isZero()) {
            for (Verb verb : Verb.values()) {
                faults.on(verb).latency(latency);
            }
        }
        return LonghornSimulator.builder()
                .cascadeDelay(delays.cascadeDelay())
                .remoteDeleteDelay(delays.remoteDeleteDelay())
                .gcPace(delays.gcPace())
                .faults(faults.build())
                .seed(spec())
                .start();
    }

    /** e.g. {@code N=1,000 (20 BV), 5 ms}. */
    String label() {
        return String.format(Locale.ROOT, "N=%,d (%d BV), %d ms", backups, volumes, latency.toMillis());
    }

    /** e.g. {@code n1000-l5ms}, for ids in JSON. */
    String id() {
        return "n" + backups + "-l" + latency.toMillis() + "ms";
    }
}
