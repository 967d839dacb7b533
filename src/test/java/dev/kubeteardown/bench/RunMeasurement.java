package dev.kubeteardown.bench;

import dev.kubeteardown.sim.Verb;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one run of one variant on one workload cost.
 *
 * @param wallNanos     wall time of the whole teardown (both steps)
 * @param cpuNanos      CPU time of the whole process meanwhile (client, simulated server and controller)
 * @param otherCpuNanos CPU time other processes on the machine took meanwhile (0 on a quiet machine)
 * @param cpuSplit      CPU time of the client's threads and of the simulated server's threads
 * @param requests      API requests by verb, as the simulator counted them
 * @param heap          peak heap during the run over the baseline
 * @param retainedBytes heap live after the run (results still held) minus the baseline; server-side changes included
 * @param clean         the variant reported success and nothing was left in the cluster
 * @param problem       why not clean, or empty
 */
record RunMeasurement(
        long wallNanos,
        long cpuNanos,
        long otherCpuNanos,
        CpuByRole.Split cpuSplit,
        Map<Verb, Long> requests,
        HeapSampler.Peak heap,
        long retainedBytes,
        boolean clean,
        String problem) {

    RunMeasurement {
        requests = new EnumMap<>(requests.isEmpty() ? new EnumMap<>(Verb.class) : requests);
    }

    long requests(Verb verb) {
        return requests.getOrDefault(verb, 0L);
    }

    double wallSeconds() {
        return wallNanos / 1e9;
    }
}
