package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.ShutdownTeardown;
import io.kubernetes.client.openapi.ApiClient;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The after-all steps of one class, registered with {@link ShutdownTeardown} while the class runs, so a suite
 * stopped by Ctrl-C or SIGTERM still tears down. {@link #close()} deregisters it once the class has ended normally.
 */
final class ShutdownGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KubeTeardownExtension.class);

    private final ShutdownTeardown.Registration registration;
    private final String target;

    private ShutdownGuard(ShutdownTeardown.Registration registration, String target) {
        this.registration = registration;
        this.target = target;
    }

    /**
     * Registers the steps; nothing is resolved or built now, since the client may only exist once the suite runs.
     *
     * @param client resolves the client when the hook runs; called at most once
     */
    static ShutdownGuard register(
            List<DeclaredStep> steps, Supplier<ApiClient> client, TeardownScope scope, String target) {
        Supplier<ApiClient> once = new Once(client);
        CleanupStep[] deferred =
                steps.stream().map(s -> new DeferredStep(s, once, scope)).toArray(CleanupStep[]::new);
        ShutdownTeardown.Registration registration = ShutdownTeardown.register(deferred);
        LOG.debug("registered the afterAll teardown {} for JVM shutdown", target);
        return new ShutdownGuard(registration, target);
    }

    /** Deregisters the hook; idempotent, and harmless once the JVM is shutting down. */
    @Override
    public void close() {
        registration.close();
        LOG.debug("deregistered the shutdown teardown {}", target);
    }

    /** A declared step built only when the hook runs; a null report is an error, as in a normal run. */
    private static final class DeferredStep implements CleanupStep {
        private final DeclaredStep declared;
        private final Supplier<ApiClient> client;
        private final TeardownScope scope;

        DeferredStep(DeclaredStep declared, Supplier<ApiClient> client, TeardownScope scope) {
            this.declared = declared;
            this.client = client;
            this.scope = scope;
        }

        @Override
        public CleanupReport execute() {
            CleanupStep step = declared.create(declared.needsClient() ? client.get() : null, scope);
            return DeclaredStep.execute(step, step.description());
        }

        @Override
        public String description() {
            return declared.describe();
        }
    }

    /** Resolves the client once for all steps of the hook; a failure is thrown again to each step that asks. */
    private static final class Once implements Supplier<ApiClient> {
        private final Supplier<ApiClient> delegate;
        private ApiClient value;
        private RuntimeException failure;
        private boolean done;

        Once(Supplier<ApiClient> delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized ApiClient get() {
            if (!done) {
                done = true;
                try {
                    value = delegate.get();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }
}
