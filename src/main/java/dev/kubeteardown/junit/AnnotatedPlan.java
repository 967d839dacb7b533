package dev.kubeteardown.junit;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/** Reads {@link KubeTeardown} into a plan: the declarative form of what the fluent methods build. */
final class AnnotatedPlan {

    private AnnotatedPlan() {}

    /**
     * The plan of {@link KubeTeardown} on the test class or, for a {@code @Nested} class, the nearest enclosing
     * class that has it.
     *
     * @throws ExtensionConfigurationException when there is none, or a factory class cannot be instantiated
     */
    static TeardownPlan of(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        KubeTeardown declared = AnnotationSupport.findAnnotation(
                        testClass, KubeTeardown.class, context.getEnclosingTestClasses())
                .orElseThrow(() -> new ExtensionConfigurationException(
                        testClass.getName() + " registers KubeTeardownExtension without @KubeTeardown: annotate it"
                                + " with @KubeTeardown(...) or register the extension with @RegisterExtension"));
        ClientSource client = declared.clientField().isEmpty()
                ? ClientSource.annotatedField()
                : ClientSource.field(declared.clientField());
        TeardownPlan plan = TeardownPlan.of(client).declaredBy("@KubeTeardown");
        if (declared.longhorn()) {
            plan = plan.plus(Phase.AFTER_EACH, LonghornSteps.DEFAULTS);
        }
        return plan.plus(Phase.AFTER_EACH, instantiate(declared.afterEach()))
                .plus(Phase.AFTER_ALL, instantiate(declared.afterAll()))
                .withMode(declared.mode())
                .withPolicy(declared.policy())
                .withNamespace(namespace(declared, testClass));
    }

    private static NamespaceLifecycle namespace(KubeTeardown declared, Class<?> testClass) {
        String perTest = declared.namespacePerTest();
        String perClass = declared.namespacePerClass();
        if (!perTest.isEmpty() && !perClass.isEmpty()) {
            throw new ExtensionConfigurationException("@KubeTeardown on " + testClass.getName()
                    + " declares both namespacePerTest and namespacePerClass: declare one");
        }
        try {
            if (!perTest.isEmpty()) {
                return NamespaceLifecycle.perTest(perTest);
            }
            return perClass.isEmpty() ? null : NamespaceLifecycle.perClass(perClass);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(
                    "@KubeTeardown on " + testClass.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the class of this context carries the annotation itself: only then are its after-all steps its own. */
    static boolean isAnnotated(ExtensionContext context) {
        return context.getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, KubeTeardown.class))
                .isPresent();
    }

    private static List<DeclaredStep> instantiate(Class<? extends ScopedStepFactory>[] types) {
        List<DeclaredStep> steps = new ArrayList<>();
        for (Class<? extends ScopedStepFactory> type : types) {
            try {
                steps.add(DeclaredStep.of(ReflectionSupport.newInstance(type)));
            } catch (RuntimeException e) {
                throw new ExtensionConfigurationException(
                        "cannot create step factory " + type.getName()
                                + " named in @KubeTeardown: it needs a no-argument constructor",
                        e);
            }
        }
        return steps;
    }
}
