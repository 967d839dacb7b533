package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupStep;
import io.kubernetes.client.openapi.ApiClient;

/**
 * Builds a cleanup step from the client only, so the client can be created after the extension (in a
 * {@code @BeforeAll}, or lazily by a supplier): {@code client -> BackupCleanup.builder(client).build()}.
 *
 * <p>A {@code StepFactory} is a {@link ScopedStepFactory} that ignores the scope, so a one-argument lambda and a
 * two-argument lambda can both be passed to {@code afterEach(...)} without ambiguity (Java picks by arity).
 */
@FunctionalInterface
public interface StepFactory extends ScopedStepFactory {

    /** Builds the step; it must not send requests. */
    CleanupStep create(ApiClient client);

    /** Ignores the scope. */
    @Override
    default CleanupStep create(ApiClient client, TeardownScope scope) {
        return create(client);
    }
}
