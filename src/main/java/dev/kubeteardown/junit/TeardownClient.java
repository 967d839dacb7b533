package dev.kubeteardown.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field holding the {@link io.kubernetes.client.openapi.ApiClient} the cleanup steps are built with, so
 * the client can be created by the test itself (in {@code @BeforeAll} or {@code @BeforeEach}) and still be used
 * after it.
 *
 * <p>The field is read when the cleanup runs, not when the extension is created. Its type must be {@code ApiClient}
 * or a {@code Supplier} of one; it may be {@code static}. Cleanup after all tests can only read a {@code static}
 * field, unless the class uses {@code @TestInstance(PER_CLASS)}. Exactly one such field per class.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface TeardownClient {}
