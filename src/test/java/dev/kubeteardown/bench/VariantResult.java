package dev.kubeteardown.bench;

import dev.kubeteardown.sim.Verb;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The measured runs of one variant on one workload, or - for a variant skipped by the budget - an estimate of its
 * wall time, never to be mistaken for a measurement.
 *
 * @param name        variant name
 * @param parallelism concurrent deletes
 * @param runs        measured runs, empty when skipped
 * @param estimate    the budget's estimate of one run, made before running
 * @param note        why it was skipped or reused, or empty
 */
record VariantResult(String name, int parallelism, List<RunMeasurement> runs, Duration estimate, String note) {

    VariantResult {
        runs = List.copyOf(runs);
    }

    static VariantResult skipped(Variant variant, Duration estimate, String why) {
        return new VariantResult(variant.name(), variant.parallelism(), List.of(), estimate, why);
    }

    /** The same runs under another name (the sweep's p=8 are the default variant's runs). */
    VariantResult renamed(String newName, String why) {
        return new VariantResult(newName, parallelism, runs, estimate, why);
    }

    boolean measured() {
        return !runs.isEmpty();
    }

    /** Median wall time in seconds; the estimate for a skipped variant. */
    double medianSeconds() {
        return measured() ? Stats.median(walls()) : estimate.toNanos() / 1e9;
    }

    double minSeconds() {
        return Stats.min(walls());
    }

    double maxSeconds() {
        return Stats.max(walls());
    }

    /** The run whose wall time is the (lower) median: its request counts are the ones reported. */
    RunMeasurement medianRun() {
        List<RunMeasurement> sorted = runs.stream()
                .sorted(Comparator.comparingLong(RunMeasurement::wallNanos))
                .toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    long requests(Verb verb) {
        return medianRun().requests(verb);
    }

    double objectsPerSecond(Workload workload) {
        return workload.objects() / medianSeconds();
    }

    /** Median over runs of the peak heap used over the baseline. */
    double peakHeapBytes() {
        return Stats.median(runs.stream().map(r -> (double) r.heap().peakUsed()).toList());
    }

    /** Median over runs of the highest post-GC heap over the baseline; -1 when no run had a GC. */
    double peakAfterGcBytes() {
        List<Double> values = runs.stream()
                .filter(r -> r.heap().peakAfterGc() >= 0)
                .map(r -> (double) r.heap().peakAfterGc())
                .toList();
        return values.isEmpty() ? -1 : Stats.median(values);
    }

    double retainedBytes() {
        return Stats.median(runs.stream().map(r -> (double) r.retainedBytes()).toList());
    }

    double cpuSeconds() {
        return Stats.median(runs.stream().map(r -> r.cpuNanos() / 1e9).toList());
    }

    /** Median over runs of the time spent in garbage collection during the run. */
    double gcSeconds() {
        return Stats.median(runs.stream().map(r -> r.heap().gcMillis() / 1e3).toList());
    }

    /** Median over runs of the CPU time of the client's threads. */
    double clientCpuSeconds() {
        return Stats.median(runs.stream().map(r -> r.cpuSplit().clientSeconds()).toList());
    }

    /** Median over runs of the CPU time of the simulated server's threads (API server and controller). */
    double serverCpuSeconds() {
        return Stats.median(runs.stream().map(r -> r.cpuSplit().serverSeconds()).toList());
    }

    /** Median over runs of the CPU time other processes took during the run. */
    double otherCpuSeconds() {
        return Stats.median(runs.stream().map(r -> r.otherCpuNanos() / 1e9).toList());
    }

    boolean allClean() {
        return runs.stream().allMatch(RunMeasurement::clean);
    }

    String problems() {
        return runs.stream()
                .filter(r -> !r.clean())
                .map(RunMeasurement::problem)
                .distinct()
                .reduce((a, b) -> a + " | " + b)
                .orElse("");
    }

    private List<Double> walls() {
        return runs.stream().map(RunMeasurement::wallSeconds).toList();
    }
}
