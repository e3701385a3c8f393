package io.meshgate.browser;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands one {@link BrowserGateway} to every test class that asks for it (a {@code @BeforeAll} parameter) and stops it
 * after the last test of the run: starting three regions costs seconds, and these classes leave them as they found
 * them. A class that breaks the gateway (kills a node) starts its own instead.
 */
final class SharedGateway implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedGateway.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == BrowserGateway.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // The root store closes what it holds (AutoCloseable) when the whole run ends.
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("gateway", key -> BrowserGateway.start(), BrowserGateway.class);
    }
}
