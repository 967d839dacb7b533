package dev.kubeteardown.junit;

import io.kubernetes.client.openapi.ApiClient;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Where the client comes from, read when a cleanup runs: a supplier, a named field or the {@link TeardownClient}
 * field. A field that does not exist, or has the wrong type, is a mistake in the test code and throws
 * {@link ExtensionConfigurationException}; a supplier that fails, or a field that is {@code null}, is a failure of
 * the run (subject to the failure policy), reported as {@link ClientUnavailableException}.
 */
abstract class ClientSource {

    /** Returns the client or throws {@link ClientUnavailableException} or {@link ExtensionConfigurationException}. */
    abstract ApiClient resolve(ExtensionContext context);

    static ClientSource supplier(Supplier<? extends ApiClient> supplier) {
        Objects.requireNonNull(supplier, "client supplier must not be null");
        return new ClientSource() {
            @Override
            ApiClient resolve(ExtensionContext context) {
                return fromValue(supplier, "the client supplier");
            }

            @Override
            public String toString() {
                return "client supplier";
            }
        };
    }

    static ClientSource field(String name) {
        Objects.requireNonNull(name, "client field name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("client field name must not be blank");
        }
        return new FieldSource(
                "field \"" + name + "\"",
                type -> ReflectionSupport.findFields(
                        type, f -> f.getName().equals(name), HierarchyTraversalMode.BOTTOM_UP));
    }

    static ClientSource annotatedField() {
        return new FieldSource(
                "field annotated @TeardownClient",
                type -> AnnotationSupport.findAnnotatedFields(type, TeardownClient.class));
    }

    /** A client, or a supplier of one, as found in a field or returned by a supplier. */
    static ApiClient fromValue(Object value, String what) {
        Object v = value;
        if (v instanceof Supplier<?> supplier) {
            try {
                v = supplier.get();
            } catch (RuntimeException e) {
                throw new ClientUnavailableException(what + " threw " + e, e);
            }
        }
        if (v == null) {
            throw new ClientUnavailableException(what + " gave null");
        }
        if (!(v instanceof ApiClient client)) {
            throw new ExtensionConfigurationException(what + " must give an " + ApiClient.class.getName() + ", gave "
                    + v.getClass().getName());
        }
        return client;
    }

    /** The client could not be obtained at run time: every step that needs it fails, the others still run. */
    static final class ClientUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientUnavailableException(String message) {
            super(message);
        }

        ClientUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Looks in the test instances, innermost first, then in the static fields of the test and enclosing classes. */
    private static final class FieldSource extends ClientSource {

        private final String description;
        private final Function<Class<?>, List<Field>> finder;

        FieldSource(String description, Function<Class<?>, List<Field>> finder) {
            this.description = description;
            this.finder = finder;
        }

        @Override
        ApiClient resolve(ExtensionContext context) {
            List<Object> instances = new ArrayList<>(
                    context.getTestInstances().map(i -> i.getAllInstances()).orElse(List.of()));
            Collections.reverse(instances);
            for (Object instance : instances) {
                Optional<Field> field = single(instance.getClass());
                if (field.isPresent()) {
                    return read(field.get(), instance);
                }
            }
            List<Class<?>> classes = new ArrayList<>(context.getEnclosingTestClasses());
            context.getTestClass().ifPresent(classes::add);
            Collections.reverse(classes);
            for (Class<?> type : classes) {
                Optional<Field> field = single(type);
                if (field.isPresent()) {
                    if (!Modifier.isStatic(field.get().getModifiers())) {
                        throw new ExtensionConfigurationException("the client " + description + " in " + type.getName()
                                + " is an instance field, but there is no test instance when cleaning up after all"
                                + " tests: make it static or use @TestInstance(PER_CLASS)");
                    }
                    return read(field.get(), null);
                }
            }
            throw new ExtensionConfigurationException("no client " + description + " in "
                    + context.getTestClass().map(Class::getName).orElse("the test class")
                    + " (nor its superclasses or enclosing classes)");
        }

        private Optional<Field> single(Class<?> type) {
            List<Field> fields = finder.apply(type);
            if (fields.size() > 1) {
                throw new ExtensionConfigurationException(
                        "more than one client " + description + " in " + type.getName() + ": "
                                + fields.stream().map(Field::getName).collect(Collectors.joining(", ")));
            }
            if (fields.isEmpty()) {
                return Optional.empty();
            }
            Field field = fields.get(0);
            if (!ApiClient.class.isAssignableFrom(field.getType())
                    && !Supplier.class.isAssignableFrom(field.getType())) {
                throw new ExtensionConfigurationException("the client " + description + " in " + type.getName()
                        + " must be of type ApiClient or Supplier<ApiClient>, was "
                        + field.getType().getName());
            }
            return Optional.of(field);
        }

        private ApiClient read(Field field, Object instance) {
            String what = "client field " + field.getDeclaringClass().getSimpleName() + "." + field.getName();
            Object value = ReflectionSupport.tryToReadFieldValue(field, instance)
                    .getOrThrow(e -> new ExtensionConfigurationException("cannot read " + what, e));
            return fromValue(value, what);
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
