package dev.kubeteardown.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubernetes.client.util.KubeConfig;
import java.io.StringReader;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Certificate verification is on unless the kubeconfig's cluster switches it off, and then it is said once. */
class KubeconfigTlsTest {

    private static KubeConfig kubeconfig(String clusterExtra) {
        return KubeConfig.loadKubeConfig(new StringReader(String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: ci-cluster",
                "  cluster:",
                "    server: https://10.1.2.3:6443",
                clusterExtra,
                "users:",
                "- name: ci",
                "  user:",
                "    token: secret-token-do-not-print",
                "contexts:",
                "- name: ci",
                "  context: {cluster: ci-cluster, user: ci}",
                "current-context: ci",
                "")));
    }

    @Test
    @DisplayName("a kubeconfig that does not mention insecure-skip-tls-verify verifies, and nothing is warned")
    void verificationIsOnByDefault() {
        KubeConfig config = kubeconfig("");

        assertEquals(true, config.verifySSL());
        assertEquals(Optional.empty(), KubeconfigOptions.insecureWarning(config));
        assertEquals(
                Optional.empty(), KubeconfigOptions.insecureWarning(kubeconfig("    insecure-skip-tls-verify: false")));
    }

    @Test
    @DisplayName(
            "insecure-skip-tls-verify: true is honoured with one warning naming the cluster and its server, no secret")
    void insecureIsWarnedNamingTheCluster() {
        KubeConfig config = kubeconfig("    insecure-skip-tls-verify: true");

        assertEquals(false, config.verifySSL());
        assertEquals(
                Optional.of(
                        "TLS certificate verification is OFF for cluster \"ci-cluster\" (https://10.1.2.3:6443): its"
                                + " kubeconfig sets insecure-skip-tls-verify: true, so anyone between here and the server can"
                                + " pose as it; give the cluster's CA as certificate-authority-data instead"),
                KubeconfigOptions.insecureWarning(config));
    }
}
