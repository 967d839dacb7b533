package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.OperatingSystemMXBean;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client's CPU per object on the real tier (over TLS): N backups, then one BackupCleanup with a fresh
 * {@link ApiClient}, {@value #ROUNDS} times in one JVM. Prints the process CPU (this JVM: every thread, the JIT and
 * the GC included) spent inside each run, per object; asserts only that each run is clean. Opt-in, because it
 * creates {@value #ROUNDS} x {@value #OBJECTS} objects: {@code -DargLine=-Dkubeteardown.cpu.it=true} (add
 * {@code -XX:StartFlightRecording=filename=...} to the argLine to profile it).
 */
@EnabledIfSystemProperty(named = "kubeteardown.cpu.it", matches = "true")
@ExtendWith(RealApiServerExtension.class)
class ClientCpuIT {

    private static final int OBJECTS = 1_000;
    private static final int ROUNDS = 3;

    private final RealApiServer server;

    ClientCpuIT(RealApiServer server) {
        this.server = server;
    }

    /** Time the collectors spent, summed (pauses and concurrent work as each bean counts it). */
    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    @Test
    void backupCleanupCpuPerObject() throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        List<String> lines = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            try (ItNamespace ns = ItNamespace.create(server, "cpu")) {
                List<ItNamespace.BackupSpec> specs = new ArrayList<>();
                for (int i = 0; i < OBJECTS; i++) {
                    specs.add(backup(String.format(Locale.ROOT, "backup-%05d", i)));
                }
                ns.createAll(specs, 32);
                ApiClient client = server.adminClient();
                long cpu0 = os.getProcessCpuTime();
                long jit0 = jit.getTotalCompilationTime();
                long gc0 = gcMillis();
                long t0 = System.nanoTime();
                CleanupReport report = BackupCleanup.builder(client)
                        .namespace(ns.name())
                        .build()
                        .execute();
                long wall = System.nanoTime() - t0;
                long cpu = os.getProcessCpuTime() - cpu0;
                long jitMillis = jit.getTotalCompilationTime() - jit0;
                long gcMillis = gcMillis() - gc0;
                assertTrue(report.isClean(), report::summary);
                assertEquals((long) OBJECTS, report.count(Outcome.Status.DELETED), report::summary);
                lines.add(String.format(
                        Locale.ROOT,
                        "client-cpu: round %d N=%d wall %.2f s, process CPU %.2f s = %.3f ms/object"
                                + " (JIT %d ms, GC %d ms), load %.2f",
                        round,
                        OBJECTS,
                        wall / 1e9,
                        cpu / 1e9,
                        cpu / 1e6 / OBJECTS,
                        jitMillis,
                        gcMillis,
                        os.getSystemLoadAverage()));
            }
        }
        lines.forEach(System.out::println);
    }
}
