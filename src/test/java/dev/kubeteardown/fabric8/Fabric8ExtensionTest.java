package dev.kubeteardown.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.junit.KubeTeardownExtension;
import dev.kubeteardown.junit.TeardownClient;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubernetes.client.openapi.ApiClient;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A fabric8 suite plugs into the JUnit extension without an ApiClient of its own: through
 * {@code forClient(Fabric8Clients.supplier(...))} or a {@code @TeardownClient Supplier<ApiClient>} field. The
 * nested {@code *TestCase} classes run through EngineTestKit only.
 */
class Fabric8ExtensionTest {

    static final String ENABLED = "kubeteardown.fabric8.testkit.enabled";
    static final ResourceType CONFIG_MAPS = ResourceType.core("v1", "configmaps");
    static final String NS = "e2e";

    /** The mock the running case uses; set for the duration of one outer test. */
    static volatile MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = MockCluster.start();
    }

    @AfterEach
    void stop() {
        cluster.close();
        cluster = null;
    }

    /** Creates a ConfigMap with the fabric8 client, as a fabric8 suite's test does. */
    static void createConfigMap(KubernetesClient client, String name) {
        client.configMaps()
                .inNamespace(NS)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
    }

    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(OnlyInTestKit.class)
    @interface TestKitOnly {}

    static final class OnlyInTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLED).isPresent()
                    ? ConditionEvaluationResult.enabled("run by EngineTestKit")
                    : ConditionEvaluationResult.disabled("a test case for EngineTestKit, not run on its own");
        }
    }

    @TestKitOnly
    static class SupplierTestCase {
        static KubernetesClient kubernetesClient;

        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forClient(
                        Fabric8Clients.supplier(() -> kubernetesClient))
                .afterEach(c -> Cleanup.builder(c, CONFIG_MAPS).namespace(NS).build());

        @BeforeAll
        static void connect() {
            kubernetesClient = cluster.fabric(); // created after the extension: the supplier reads it late
        }

        @Test
        void first() {
            createConfigMap(kubernetesClient, "first");
        }

        @Test
        void second() {
            createConfigMap(kubernetesClient, "second");
        }
    }

    @TestKitOnly
    static class TeardownClientFieldTestCase {
        static KubernetesClient kubernetesClient;

        @TeardownClient
        static Supplier<ApiClient> client = Fabric8Clients.supplier(() -> kubernetesClient);

        @RegisterExtension
        static KubeTeardownExtension teardown = KubeTeardownExtension.forTeardownClient()
                .afterEach(c -> Cleanup.builder(c, CONFIG_MAPS).namespace(NS).build());

        @BeforeAll
        static void connect() {
            kubernetesClient = cluster.fabric();
        }

        @Test
        void creates() {
            createConfigMap(kubernetesClient, "only");
        }
    }

    static EngineExecutionResults run(Class<?> testCase) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(testCase))
                .configurationParameter(ENABLED, "true")
                .execute();
    }

    @Test
    @DisplayName("forClient(Fabric8Clients.supplier(...)) cleans what each test created with its fabric8 client")
    void supplierOfAFabric8Client() {
        run(SupplierTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(2).succeeded(2).failed(0));

        assertEquals(0, cluster.countObjects(CONFIG_MAPS, NS));
        assertEquals(
                2,
                cluster.count("DELETE", "/api/v1/namespaces/e2e/configmaps/"),
                () -> cluster.requests().toString());
    }

    @Test
    @DisplayName("a @TeardownClient Supplier<ApiClient> field backed by a fabric8 client works the same")
    void teardownClientField() {
        run(TeardownClientFieldTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(1).succeeded(1).failed(0));

        assertEquals(0, cluster.countObjects(CONFIG_MAPS, NS));
        assertEquals(
                1,
                cluster.count("DELETE", "/api/v1/namespaces/e2e/configmaps/"),
                () -> cluster.requests().toString());
    }
}
