package dev.kubeteardown.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void spreadsBackupsOverTenToTwoHundredVolumesWithOneFailedBackupEach() {
        assertShape(Workload.of(100, Duration.ZERO, ControllerDelays.DEFAULT), 100, 10, 9);
        assertShape(Workload.of(1000, Duration.ZERO, ControllerDelays.DEFAULT), 1000, 20, 49);
        assertShape(Workload.of(10_000, Duration.ZERO, ControllerDelays.DEFAULT), 10_000, 200, 49);
    }

    @Test
    void objectsAreBackupVolumesAndBackups() {
        assertEquals(
                1020, Workload.of(1000, Duration.ZERO, ControllerDelays.DEFAULT).objects());
    }

    @Test
    void tooFewBackupsAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Workload.of(1, Duration.ZERO, ControllerDelays.DEFAULT));
        assertEquals("backups must be >= 2, was 1", e.getMessage());
    }

    private static void assertShape(Workload w, int backups, int volumes, int perVolume) {
        assertEquals(backups, w.backups());
        assertEquals(volumes, w.volumes());
        assertEquals(perVolume, w.backupsPerVolume());
        assertEquals(volumes, w.failedBackups());
        assertEquals(
                backups,
                w.spec().volumes() * w.spec().backupsPerVolume() + w.spec().failedBackups());
    }
}
