package dev.kubeteardown.junit;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.opentest4j.TestAbortedException;

/**
 * Whether a test, or any test below a container, failed: what {@link CleanupMode#ON_SUCCESS} asks. A failure is
 * recorded on every ancestor under a key naming that ancestor, so a store lookup (which falls back to the parents)
 * never reads a parent's flag as a child's (JUnit's own {@code @TempDir} once had that bug, junit5#4464).
 */
final class FailureTracker {

    private static final Namespace NAMESPACE = Namespace.create(KubeTeardownExtension.class, "failed");

    private FailureTracker() {}

    /** A test aborted by an assumption did not fail: nobody debugs it, so its objects are cleaned. */
    static boolean failed(Optional<Throwable> executionException) {
        return executionException
                .filter(t -> !(t instanceof TestAbortedException))
                .isPresent();
    }

    /** Records that something below each ancestor of {@code context} failed. */
    static void markAncestors(ExtensionContext context) {
        for (Optional<ExtensionContext> p = context.getParent();
                p.isPresent();
                p = p.get().getParent()) {
            p.get().getStore(NAMESPACE).put(p.get().getUniqueId(), Boolean.TRUE);
        }
    }

    /** The container itself failed (e.g. in {@code @BeforeAll}), or one of its tests did. */
    static boolean selfOrChildFailed(ExtensionContext context) {
        return failed(context.getExecutionException())
                || Boolean.TRUE.equals(context.getStore(NAMESPACE).get(context.getUniqueId(), Boolean.class));
    }
}
