package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupStep;
import io.kubernetes.client.openapi.ApiClient;

/**
 * Builds a cleanup step for one test (or one class) from the client and that test's {@link TeardownScope}, so the
 * step can be limited to what the test labelled, e.g.
 * {@code (client, scope) -> BackupCleanup.builder(client).labelSelector(scope.selector()).build()}.
 *
 * <p>Called once per run, on the thread that runs the cleanup; the step it returns is run once and dropped.
 * Classes named in {@link KubeTeardown#afterEach()} need a no-argument constructor.
 */
@FunctionalInterface
public interface ScopedStepFactory {

    /**
     * Builds the step. It must not send requests: the extension runs the step and reports what it did.
     *
     * @param client the client resolved for this run (from the supplier or the test's client field)
     * @param scope  the scope of the test (after each test) or of the test class (after all tests)
     */
    CleanupStep create(ApiClient client, TeardownScope scope);
}
