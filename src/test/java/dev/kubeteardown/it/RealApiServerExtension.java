package dev.kubeteardown.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RealApiServer} parameters (constructor, lifecycle and test methods) to the cluster of this JVM,
 * starting it on first use: {@code @ExtendWith(RealApiServerExtension.class)}.
 */
public final class RealApiServerExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == RealApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return RealApiServer.get();
    }
}
