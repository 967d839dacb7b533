package dev.kubeteardown;

import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;

/** Run in a child JVM by {@link LeakedResourcesTest}: registers a shutdown teardown, says so, then waits to be killed. */
public final class ShutdownHookChild {

    private ShutdownHookChild() {}

    public static void main(String[] args) throws Exception {
        var client = new ClientBuilder().setBasePath(args[0]).build();
        ShutdownTeardown.register(Cleanup.builder(client, CleanupEngineTest.BACKUPS)
                .namespace(args[1])
                .timeout(Duration.ofSeconds(20))
                .build());
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // the parent ends this JVM with SIGTERM
    }
}
