package dev.kubeteardown.bench;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * This library: {@link BackupstoreCleanup} then {@link BackupCleanup}, with default settings (adaptive parallelism,
 * starting at {@link CleanupBuilder#DEFAULT_PARALLELISM}) or one fixed parallelism.
 */
final class KubeTeardownVariant implements Variant {

    /** Deadline of each step in the sweep, so that slow settings finish rather than report STUCK. */
    static final Duration SWEEP_TIMEOUT = Duration.ofMinutes(10);

    private final String name;
    private final Integer parallelism;
    /** What the last run's limit did, per step, for the progress lines. */
    private volatile String lastParallelism = "";

    private KubeTeardownVariant(String name, Integer parallelism) {
        this.name = name;
        this.parallelism = parallelism;
    }

    /** Nothing set on the builders: what a user gets out of the box (adaptive parallelism). */
    static KubeTeardownVariant defaults() {
        return new KubeTeardownVariant("kube-teardown default", null);
    }

    /** Parallelism {@code p} and a {@link #SWEEP_TIMEOUT} deadline, everything else default. */
    static KubeTeardownVariant withParallelism(int p) {
        return new KubeTeardownVariant("kube-teardown p=" + p, p);
    }

    /** e.g. {@code adaptive 8 -> 9 (min 8, peak 10, 0 throttled); adaptive 8 -> 61 (...)}: one per step. */
    String lastParallelism() {
        return lastParallelism;
    }

    boolean isDefault() {
        return parallelism == null;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int parallelism() {
        return parallelism == null ? CleanupBuilder.DEFAULT_PARALLELISM : parallelism;
    }

    @Override
    public Kind kind() {
        return Kind.KUBE_TEARDOWN;
    }

    @Override
    public Result run(ApiClient client) {
        BackupstoreCleanup.Builder volumes = BackupstoreCleanup.builder(client);
        BackupCleanup.Builder backups = BackupCleanup.builder(client);
        if (parallelism != null) {
            volumes.parallelism(parallelism).timeout(SWEEP_TIMEOUT);
            backups.parallelism(parallelism).timeout(SWEEP_TIMEOUT);
        }
        CleanupReport first = volumes.build().execute();
        CleanupReport second = backups.build().execute();
        List<CleanupReport> reports = List.of(first, second);
        lastParallelism = reports.stream()
                .map(r -> r.parallelism().map(Object::toString).orElse("?"))
                .collect(Collectors.joining("; "));
        boolean clean = first.isClean() && second.isClean();
        return new Result(clean, clean ? "" : first.summary() + "; " + second.summary(), reports);
    }
}
