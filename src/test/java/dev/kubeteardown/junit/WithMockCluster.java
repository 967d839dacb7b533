package dev.kubeteardown.junit;

import dev.kubeteardown.testing.MockCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a mock cluster for each test and lends it to the EngineTestKit test cases through {@link TestKit#cluster}. */
abstract class WithMockCluster {

    MockCluster cluster;

    @BeforeEach
    void startCluster() {
        cluster = MockCluster.start();
        TestKit.cluster = cluster;
    }

    @AfterEach
    void stopCluster() {
        TestKit.cluster = null;
        cluster.close();
    }
}
