package dev.kubeteardown.cli;

import dev.kubeteardown.sim.BackupstoreSpec;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.LonghornSimulator;
import dev.kubeteardown.sim.Verb;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The demo's simulated Longhorn: the backupstore to seed and how the simulator behaves, from its flags. */
final class SimulatorOptions {

    @Option(
            names = "--volumes",
            defaultValue = "20",
            description = "Backup volumes to seed (default: ${DEFAULT-VALUE}).")
    int volumes;

    @Option(
            names = "--backups-per-volume",
            defaultValue = "10",
            description = "Backups per volume (default: ${DEFAULT-VALUE}).")
    int backupsPerVolume;

    @Option(
            names = "--failed",
            defaultValue = "3",
            description = "Extra backups in Error state without an owner (default: ${DEFAULT-VALUE}).")
    int failed;

    @Option(
            names = "--cascade-delay",
            defaultValue = "200ms",
            converter = DurationConverter.class,
            description =
                    "Delay between a backup volume going and the garbage collector deleting its backups (default: ${DEFAULT-VALUE}).")
    Duration cascadeDelay;

    @Option(
            names = "--gc-pace",
            defaultValue = "5ms",
            converter = DurationConverter.class,
            description =
                    "Time the garbage collector takes per backup of a deleted volume, one at a time for the cluster (default: ${DEFAULT-VALUE}).")
    Duration gcPace;

    @Option(
            names = "--remote-delete-delay",
            defaultValue = "100ms",
            converter = DurationConverter.class,
            description = "Delay before a deleted backup's finalizer is released (default: ${DEFAULT-VALUE}).")
    Duration remoteDeleteDelay;

    // a client that takes no time per request outruns the garbage collector and never meets the race
    @Option(
            names = "--latency",
            defaultValue = "2ms",
            converter = DurationConverter.class,
            description =
                    "Latency of every API request, as a nearby API server's round trip (default: ${DEFAULT-VALUE}).")
    Duration latency;

    @Option(
            names = "--error-rate",
            defaultValue = "0",
            description = "Share of deletes answered 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    double errorRate;

    // the garbage collector's own races depend on how fast each side is (a fast client outruns it and never meets
    // one); this one is decided per request, from the seed, so the demo shows the 404 on any machine
    @Option(
            names = "--race-rate",
            defaultValue = "0.05",
            description =
                    "Share of backup deletes that Longhorn wins outright: the backup is removed right before the delete"
                            + " is applied, so it gets 404 (default: ${DEFAULT-VALUE}; 1 makes --naive fail on its first backup delete).")
    double raceRate;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the simulated backupstore and faults (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Fails, naming the flag, on a count below 0 or a rate outside [0, 1]. */
    void check(Flags flags) {
        flags.atLeast("--volumes", volumes, 0)
                .atLeast("--backups-per-volume", backupsPerVolume, 0)
                .atLeast("--failed", failed, 0)
                .require(errorRate >= 0 && errorRate <= 1, "--error-rate must be within [0, 1], was " + errorRate)
                .require(raceRate >= 0 && raceRate <= 1, "--race-rate must be within [0, 1], was " + raceRate);
    }

    /** The backupstore to seed; negative counts are a usage error. */
    BackupstoreSpec backupstore() {
        if (volumes < 0 || backupsPerVolume < 0 || failed < 0) {
            throw new IllegalArgumentException("--volumes, --backups-per-volume and --failed must be >= 0");
        }
        return BackupstoreSpec.of(volumes, backupsPerVolume)
                .failedBackups(failed)
                .seed(seed);
    }

    /** A new, empty simulated Longhorn with these timings and faults; the caller closes it. */
    LonghornSimulator start() {
        FaultPlan.Builder faults = FaultPlan.builder().seed(seed);
        if (latency.compareTo(Duration.ZERO) > 0) {
            for (Verb verb : Verb.values()) {
                faults.on(verb).latency(latency);
            }
        }
        if (raceRate > 0) {
            faults.on(Verb.DELETE, "backups").notFoundRace(raceRate);
        }
        if (errorRate > 0) {
            faults.on(Verb.DELETE).errorRate(503, errorRate).retryAfter(Duration.ofSeconds(1));
        }
        return LonghornSimulator.builder()
                .cascadeDelay(cascadeDelay)
                .gcPace(gcPace)
                .remoteDeleteDelay(remoteDeleteDelay)
                .faults(faults.build())
                .start();
    }
}
