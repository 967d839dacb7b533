package dev.kubeteardown.bench;

import java.time.Duration;

/**
 * The smallest wall time any client could reach on a workload, given the per-request latency {@code L}, the
 * controller's finalizer delay {@code R}, the parallelism {@code p} and the page size {@code S}; both of Longhorn's
 * steps in order (the backup cleanup starts once the backup volumes are gone).
 *
 * <pre>
 *   limit(p) = step(V) + step(N)
 *   step(n)  = max(ceil(n / p), ceil(n / S)) * L + R
 * </pre>
 *
 * Why: the simulator applies a request when it arrives and delays only the answer by {@code L}. A step's first
 * delete can leave once the first list page is back (at {@code L}); with {@code p} deletes in flight, round
 * {@code k} leaves at {@code k * L}, so the last one reaches the server at {@code ceil(n / p) * L} (and not before
 * the last page is back, {@code ceil(n / S) * L}); its finalizer goes {@code R} later, and a watch opened
 * beforehand reports it at once. The garbage collector's cascade ({@code cascadeDelay} after a backup volume is
 * gone, one backup per {@code gcPace}) is not on this path: a client that deletes every backup itself does not
 * wait for it, and the collector can take only {@code (T2 - cascadeDelay) / gcPace} backups off the client's
 * list during the backup step (none at all while {@code T2 <= cascadeDelay}), which the model ignores. CPU time
 * is not modelled either: at 0 ms latency the limit is {@code 2R} and the measured time is CPU time of client and
 * server on this machine.
 */
final class LimitModel {

    private final int pageSize;

    LimitModel(int pageSize) {
        this.pageSize = pageSize;
    }

    Duration limit(Workload w, int parallelism) {
        return step(w.volumes(), parallelism, w).plus(step(w.backups(), parallelism, w));
    }

    private Duration step(int objects, int parallelism, Workload w) {
        long rounds = Math.max(ceilDiv(objects, parallelism), ceilDiv(objects, pageSize));
        return w.latency().multipliedBy(rounds).plus(w.delays().remoteDeleteDelay());
    }

    /** The formula in words, for the reports. */
    static String formula() {
        return "limit(p) = [max(ceil(V/p), ceil(V/500)) + max(ceil(N/p), ceil(N/500))] x L + 2 x R";
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
