package dev.kubeteardown.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Declares the cleanup of a test class without code: which steps run after each test and after all tests, in
 * which mode and with which failure policy. The client comes from the field annotated {@link TeardownClient}
 * (or the field named by {@link #clientField()}).
 *
 * <pre>{@code
 * @KubeTeardown(longhorn = true, mode = CleanupMode.ON_SUCCESS)
 * class BackupIT {
 *     @TeardownClient static ApiClient client;
 *     ...
 * }
 * }</pre>
 *
 * <p>This annotation registers {@link KubeTeardownExtension}; an extra {@code @ExtendWith(KubeTeardownExtension.class)}
 * is harmless. Use either this annotation or a {@code @RegisterExtension} field per class, not both, or both
 * clean up. On a {@code @Nested} class without its own annotation, the enclosing class's annotation applies.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(KubeTeardownExtension.class)
public @interface KubeTeardown {

    /**
     * {@code true}: after each test, delete Longhorn backup volumes ({@code BackupstoreCleanup}), then backups
     * ({@code BackupCleanup}), with their defaults (every object in {@code longhorn-system}); these run before the
     * classes in {@link #afterEach()}.
     */
    boolean longhorn() default false;

    /** Step factories run after each test, in this order; each class needs a no-argument constructor. */
    Class<? extends ScopedStepFactory>[] afterEach() default {};

    /** Step factories run once after all tests of the annotated class, in this order. */
    Class<? extends ScopedStepFactory>[] afterAll() default {};

    /** The cleanup mode; {@code kubeteardown.cleanup.mode} overrides it when set. */
    CleanupMode mode() default CleanupMode.DEFAULT;

    /** The failure policy; {@code kubeteardown.failure.policy} overrides it when set. */
    FailurePolicy policy() default FailurePolicy.FAIL;

    /**
     * A namespace per test, {@code <prefix>-<hash>}, created before each test and deleted after it, as
     * {@link KubeTeardownExtension#namespacePerTest(String)} does; empty (the default) for none. The test reads it from
     * {@link TeardownScope#namespace()}.
     */
    String namespacePerTest() default "";

    /**
     * A namespace for all tests of the annotated class, created before them and deleted after them, as
     * {@link KubeTeardownExtension#namespacePerClass(String)} does; empty (the default) for none. Not with
     * {@link #namespacePerTest()}.
     */
    String namespacePerClass() default "";

    /** The name of the client field; empty (the default) means the field annotated {@link TeardownClient}. */
    String clientField() default "";
}
