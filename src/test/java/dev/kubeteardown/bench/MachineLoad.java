package dev.kubeteardown.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time the whole machine was busy, from {@code /proc/stat} (Linux; 0 elsewhere), so a run can tell how much
 * CPU other processes took meanwhile: a benchmark on a shared 2-core machine must say when it was not alone.
 */
final class MachineLoad {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** Clock ticks per second of {@code /proc/stat} (USER_HZ, 100 on every common Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private MachineLoad() {}

    /** Busy CPU time of all cores since boot, in nanoseconds; 0 when unknown. */
    static long busyNanos() {
        try {
            for (String line : Files.readAllLines(PROC_STAT)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) {
                        if (i != 4 && i != 5) { // idle and iowait are not busy
                            busy += Long.parseLong(f[i]);
                        }
                    }
                    return busy * (1_000_000_000L / TICKS_PER_SECOND);
                }
            }
        } catch (IOException | RuntimeException unknown) {
            return 0;
        }
        return 0;
    }
}
