package dev.kubeteardown.bench;

import java.time.Duration;

/**
 * How slowly the simulated Longhorn controller and garbage collector work.
 *
 * @param cascadeDelay      from a BackupVolume going to the garbage collector starting on its backups
 * @param remoteDeleteDelay from a delete to the release of the object's {@code longhorn.io} finalizer
 * @param gcPace            time the garbage collector takes per backup (one queue for the cluster)
 */
record ControllerDelays(Duration cascadeDelay, Duration remoteDeleteDelay, Duration gcPace) {

    /**
     * ~200 ms controller delays; a garbage collector at 20 deletes per second, the default client QPS of
     * kube-controller-manager ({@code --kube-api-qps=20}), so it helps a little and is never on the critical path.
     */
    static final ControllerDelays DEFAULT =
            new ControllerDelays(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(50));
}
