package dev.kubeteardown.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.kubeteardown.longhorn.Longhorn;
import dev.kubeteardown.sim.LonghornSimulator;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Map;

/**
 * Runs one variant once on a fresh, identically seeded simulator and measures it: wall and CPU time, requests by
 * verb, peak heap, what is left in the cluster afterwards.
 */
final class VariantRunner {

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    RunMeasurement run(Workload workload, Variant variant) throws InterruptedException {
        try (LonghornSimulator cluster = workload.start()) {
            ApiClient client = cluster.apiClient();
            cluster.resetCounters();
            Variant.Result result;
            long wall;
            long cpu;
            long other;
            HeapSampler.Peak peak;
            CpuByRole.Split split;
            try (HeapSampler heap = HeapSampler.start();
                    CpuByRole byRole = CpuByRole.start()) {
                long cpuStart = OS.getProcessCpuTime();
                long busyStart = MachineLoad.busyNanos();
                long start = System.nanoTime();
                result = variant.run(client);
                wall = System.nanoTime() - start;
                cpu = OS.getProcessCpuTime() - cpuStart;
                other = Math.max(0, MachineLoad.busyNanos() - busyStart - cpu);
                peak = heap.stop();
                split = byRole.stop();
            }
            var requests = cluster.requests().byVerb();
            long retained = HeapSampler.settledHeapUsed() - peak.baseline();
            Reference.reachabilityFence(result);
            int left = remaining(client, "backupvolumes") + remaining(client, "backups");
            boolean clean = result.clean() && left == 0;
            String leftover = left == 0 ? "" : left < 0 ? "could not list what is left" : left + " objects left";
            String problem = result.problem().isEmpty() || leftover.isEmpty()
                    ? result.problem() + leftover
                    : result.problem() + "; " + leftover;
            return new RunMeasurement(wall, cpu, other, split, requests, peak, retained, clean, problem);
        }
    }

    /** Objects of {@code plural} left in Longhorn's namespace; negative when that cannot be told. */
    @SuppressWarnings("unchecked")
    static int remaining(ApiClient client, String plural) {
        try {
            Map<String, Object> list = (Map<String, Object>) new CustomObjectsApi(client)
                    .listNamespacedCustomObject(
                            Longhorn.GROUP, Longhorn.DEFAULT_API_VERSION, Longhorn.DEFAULT_NAMESPACE, plural)
                    .execute();
            return ((List<Object>) list.getOrDefault("items", List.of())).size();
        } catch (ApiException e) {
            return -1_000_000; // cannot tell: never count as clean
        }
    }
}
