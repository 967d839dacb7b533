package dev.kubeteardown.bench;

import io.kubernetes.client.openapi.ApiClient;

/** One way to tear a workload down: both of Longhorn's steps, backup volumes then backups. */
interface Variant {

    /** Short name for tables, e.g. {@code naive}, {@code kube-teardown p=32}. */
    String name();

    /** Concurrent deletes, for the limit model (1 for a sequential algorithm). */
    int parallelism();

    /** Which estimate of its wall time budgets its runs. */
    Kind kind();

    /** Tears down whatever the client's cluster holds; the result is kept reachable while heap is measured. */
    Result run(ApiClient client) throws InterruptedException;

    /** The algorithm family, for wall-time estimates. */
    enum Kind {
        /** The original suite's algorithm: sequential deletes, 1 s polls. */
        NAIVE,
        /** The engine of this library. */
        KUBE_TEARDOWN
    }

    /**
     * What one teardown returned.
     *
     * @param clean    whether the variant itself reported success
     * @param problem  why not, or empty
     * @param retained what the variant returned (reports), held until heap is measured
     */
    record Result(boolean clean, String problem, Object retained) {}
}
