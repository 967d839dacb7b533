package dev.kubeteardown.it;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the figures of the IT tier on stdout, each line starting with {@value #PREFIX} so they can be collected
 * with grep: the server start-up (once per JVM), the time of each test and of each class, and the JVM's uptime at
 * the end of each class (the tier's running total).
 */
final class ItTiming
        implements BeforeAllCallback, AfterAllCallback, BeforeTestExecutionCallback, AfterTestExecutionCallback {

    static final String PREFIX = "[it-figures]";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ItTiming.class);
    private static boolean startupPrinted;

    /** Prints one figure line. */
    static void print(String format, Object... args) {
        System.out.println(PREFIX + " " + String.format(Locale.ROOT, format, args));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("class", System.nanoTime());
        synchronized (ItTiming.class) {
            if (!startupPrinted) {
                startupPrinted = true;
                RealApiServer server = RealApiServer.get();
                print(
                        "real API server start-up: %d ms (etcd + kube-apiserver + CRDs/RBAC + kube-controller-manager, gc=%s)",
                        server.startupMillis(), server.hasGarbageCollector());
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        long start = context.getStore(NS).get("class", Long.class);
        print(
                "class %s: %d ms; JVM uptime %d ms",
                context.getRequiredTestClass().getSimpleName(),
                millisSince(start),
                ManagementFactory.getRuntimeMXBean().getUptime());
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        context.getStore(NS).put("test", System.nanoTime());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        long start = context.getStore(NS).get("test", Long.class);
        print(
                "test %s.%s: %d ms%s",
                context.getRequiredTestClass().getSimpleName(),
                context.getRequiredTestMethod().getName(),
                millisSince(start),
                context.getExecutionException().isPresent() ? " (FAILED)" : "");
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
