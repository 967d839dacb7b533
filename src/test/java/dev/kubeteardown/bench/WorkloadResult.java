package dev.kubeteardown.bench;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Everything measured on one workload: the naive baseline, the default settings, the parallelism sweep, and the
 * limit model for the parallelism of each.
 */
record WorkloadResult(
        Workload workload, VariantResult naive, VariantResult defaults, List<VariantResult> sweep, LimitModel limits) {

    WorkloadResult {
        sweep = List.copyOf(sweep);
    }

    /** The fastest measured sweep entry by median wall time (the default's runs stand in for its parallelism). */
    VariantResult best() {
        return sweep.stream()
                .filter(VariantResult::measured)
                .filter(VariantResult::allClean)
                .min(Comparator.comparingDouble(VariantResult::medianSeconds))
                .orElse(defaults);
    }

    Duration limit(int parallelism) {
        return limits.limit(workload, parallelism);
    }

    double limitSeconds(VariantResult variant) {
        return limit(variant.parallelism()).toNanos() / 1e9;
    }

    /** Median wall time over the limit for the same parallelism. */
    double ratioToLimit(VariantResult variant) {
        return variant.medianSeconds() / limitSeconds(variant);
    }

    /** How many times faster than naive (naive's estimate when it was not run). */
    double speedup(VariantResult variant) {
        return naive.medianSeconds() / variant.medianSeconds();
    }
}
