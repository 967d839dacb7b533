package dev.kubeteardown.bench;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.List;

/** This library: {@link BackupstoreCleanup} then {@link BackupCleanup}, with default settings or one parallelism. */
final class KubeTeardownVariant implements Variant {

    /** Deadline of each step in the sweep, so that slow settings finish rather than report STUCK. */
    static final Duration SWEEP_TIMEOUT = Duration.ofMinutes(10);

    private final String name;
    private final Integer parallelism;

    private KubeTeardownVariant(String name, Integer parallelism) {
        this.name = name;
        this.parallelism = parallelism;
    }

    /** Nothing set on the builders: what a user gets out of the box. */
    static KubeTeardownVariant defaults() {
        return new KubeTeardownVariant("kube-teardown default", null);
    }

    /** Parallelism {@code p} and a {@link #SWEEP_TIMEOUT} deadline, everything else default. */
    static KubeTeardownVariant withParallelism(int p) {
        return new KubeTeardownVariant("kube-teardown p=" + p, p);
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
        boolean clean = first.isClean() && second.isClean();
        return new Result(clean, clean ? "" : first.summary() + "; " + second.summary(), reports);
    }
}
