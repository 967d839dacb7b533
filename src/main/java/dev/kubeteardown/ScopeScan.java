package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.util.HashSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every object in a scope once, read only, and deletes nothing: how a stale-run sweep finds its runs and how
 * a plan checks afterwards that nothing came back.
 */
final class ScopeScan {

    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private ScopeScan() {}

    /**
     * Lists the scope once and hands each object in it to {@code sink}. A type that is not served has nothing to
     * hand over; a list that fails is a {@link CleanupConfigurationException} naming the scope.
     */
    static void scan(CleanupSpec spec, ApiClient client, Lister.Sink sink) {
        KubeApi api = new KubeApi(client, spec.timing().requestTimeout());
        Lister lister = new Lister(
                spec, api, new Retrier(spec.timing().backoff(), spec.hooks().sleeper()));
        Deadline deadline = Deadline.after(spec.timing().timeout(), spec.hooks().ticker());
        OutcomeLedger ledger = new OutcomeLedger(spec, deadline);
        try (RunExecutor executor = new RunExecutor(1)) {
            Lister.Result result = executor.io(() -> lister.list(deadline, new HashSet<>(), sink));
            if (!result.served()) {
                Optional<CleanupSpec> elsewhere = spec.servedElsewhere(client);
                if (elsewhere.isPresent()) {
                    scan(elsewhere.get(), client, sink);
                } else {
                    LOG.warn("{} is not served; nothing to discover", spec.type());
                }
            }
        } catch (Lister.ListFailure e) {
            throw ledger.cannotStart("cannot list " + spec.description() + ": " + e.getMessage(), e.code());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanupInterruptedException(ledger.report());
        }
    }
}
