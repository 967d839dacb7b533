package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The check after a plan ({@link CleanupPlan.Builder#verifyAfter(Duration)}): lists the plan's scopes again after
 * a grace, and every object the plan removed that is there again (same name, new UID) is {@code FAILED}. Longhorn's
 * backupstore poll does exactly that with backups and backup volumes whose data is still in the backupstore: a
 * teardown that reported them gone would be a silent leak.
 */
final class RecreationCheck {

    private final ApiClient client;
    private final List<Cleanup> cleanups;
    private final Sleeper sleeper;
    private final Ticker ticker;

    RecreationCheck(ApiClient client, List<Cleanup> cleanups, Sleeper sleeper, Ticker ticker) {
        this.client = client;
        this.cleanups = cleanups;
        this.sleeper = sleeper;
        this.ticker = ticker;
    }

    /** Waits {@code grace}, then looks: one report, clean when nothing came back. */
    CleanupReport run(List<CleanupReport> planReports, Duration grace) throws InterruptedException {
        long start = ticker.nanoTime();
        Map<String, String> removedUids = new HashMap<>();
        for (CleanupReport report : planReports) {
            for (Outcome o : report.outcomes()) {
                if (!o.isScopeOutcome()
                        && (o.status() == Outcome.Status.DELETED || o.status() == Outcome.Status.ALREADY_GONE)) {
                    removedUids.put(key(o.resource(), o.namespace(), o.name()), o.uid());
                }
            }
        }
        sleeper.sleep(grace);
        List<Outcome> outcomes = new ArrayList<>();
        if (!removedUids.isEmpty()) {
            for (Cleanup cleanup : cleanups) {
                CleanupSpec spec = cleanup.spec();
                String resource = spec.type().qualifiedName();
                try {
                    ScopeScan.scan(spec, client, (ref, labels) -> {
                        String was = removedUids.remove(key(resource, ref.namespace(), ref.name()));
                        if (was != null && !was.equals(ref.uid())) {
                            outcomes.add(recreated(resource, ref, was, grace));
                        }
                    });
                } catch (CleanupInterruptedException e) {
                    throw new InterruptedException("interrupted while verifying " + spec.description());
                } catch (CleanupFailedException e) {
                    outcomes.add(Outcome.forScope(
                            resource,
                            spec.requestNamespace(),
                            Outcome.Status.FAILED,
                            "could not verify that nothing came back: " + e.getMessage(),
                            e.report().outcomes().stream()
                                    .mapToInt(Outcome::httpStatus)
                                    .findFirst()
                                    .orElse(0)));
                }
            }
        }
        return new CleanupReport(
                "re-creation check " + grace.toSeconds() + " s after the plan",
                "the plan's scopes",
                outcomes,
                Duration.ofNanos(ticker.nanoTime() - start));
    }

    private static Outcome recreated(String resource, ObjectRef ref, String oldUid, Duration grace) {
        return new Outcome(
                resource,
                ref.namespace(),
                ref.name(),
                ref.uid(),
                Outcome.Status.FAILED,
                "there again " + grace.toSeconds() + " s after the plan removed it (new UID " + ref.uid() + ", was "
                        + oldUid + "): re-created from backupstore data: delete the backup volume first, or clear the"
                        + " backupstore",
                0,
                Duration.ZERO,
                0,
                ref.finalizers(),
                ref.deletionTimestamp());
    }

    private static String key(String resource, String namespace, String name) {
        return resource + " " + (namespace == null ? "" : namespace) + "/" + name;
    }
}
