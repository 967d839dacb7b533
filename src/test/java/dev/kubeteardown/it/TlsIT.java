package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against the tier's self-signed API server, through the command line as a user runs it: certificate
 * verification is on unless the kubeconfig's cluster says {@code insecure-skip-tls-verify: true}, and then exactly
 * one WARN says so.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class TlsIT {

    private final RealApiServer server;
    private ItNamespace ns;

    @TempDir
    Path dir;

    TlsIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "tls");
        ns.create(backup("in-scope").label("app", "tls"));
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.close();
    }

    @Test
    @DisplayName("a kubeconfig without the server's CA: exit 2 saying the certificate is not trusted, naming the"
            + " server and certificate-authority; nothing deleted")
    void untrustedServerIsAClearErrorAndNothingIsDeleted() throws Exception {
        Run run = cli(kubeconfig(""));

        assertEquals(Main.USAGE, run.exit(), run.toString());
        assertTrue(run.err().contains("cannot reach the API server at " + server.apiUrl()), run.toString());
        assertTrue(run.err().contains("PKIX path building failed"), run.toString());
        assertTrue(
                run.err()
                        .contains("the server's certificate is not trusted: give its CA as certificate-authority or"
                                + " certificate-authority-data of the cluster in the kubeconfig"),
                run.toString());
        assertEquals(Set.of("in-scope"), ns.names(BACKUPS), "nothing deleted");
        assertEquals(List.of(), run.warnings(), "nothing about skipping verification");
    }

    @Test
    @DisplayName("with the CA in the kubeconfig it works, and nothing is warned")
    void trustedServerWorks() throws Exception {
        Run run = cli(server.writeKubeconfig(dir.resolve("kubeconfig"), server.adminToken()));

        assertEquals(Main.CLEAN, run.exit(), run.toString());
        assertEquals(Set.of(), ns.names(BACKUPS));
        assertEquals(List.of(), run.warnings(), run.toString());
    }

    @Test
    @DisplayName("insecure-skip-tls-verify: true works without the CA, with exactly one WARN naming the cluster and"
            + " server and no secret")
    void insecureSkipVerifyWorksWithOneWarning() throws Exception {
        Run run = cli(kubeconfig("    insecure-skip-tls-verify: true\n"));

        assertEquals(Main.CLEAN, run.exit(), run.toString());
        assertEquals(Set.of(), ns.names(BACKUPS));
        assertEquals(1, run.warnings().size(), run.toString());
        String warning = run.warnings().get(0);
        assertTrue(
                warning.contains("TLS certificate verification is OFF for cluster \"tls-it\" (" + server.apiUrl()
                        + "): its kubeconfig sets insecure-skip-tls-verify: true"),
                warning);
        assertTrue(!run.toString().contains(server.adminToken()), "the token is never printed");
    }

    // ------------------------------------------------------------------------------------------------

    /** A kubeconfig for the tier with the admin token and no CA; {@code clusterExtra} goes into the cluster. */
    private Path kubeconfig(String clusterExtra) throws Exception {
        String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: tls-it\n  cluster:\n    server: "
                + server.apiUrl() + "\n" + clusterExtra
                + "users:\n- name: tls-it\n  user:\n    token: " + server.adminToken() + "\n"
                + "contexts:\n- name: tls-it\n  context:\n    cluster: tls-it\n    user: tls-it\n"
                + "current-context: tls-it\n";
        return Files.writeString(dir.resolve("kubeconfig"), yaml, StandardCharsets.UTF_8);
    }

    /** The command's exit code, stdout, stderr, and the log lines (slf4j-simple writes them to System.err). */
    private record Run(int exit, String out, String err, String log) {
        List<String> warnings() {
            return log.lines().filter(l -> l.contains(" WARN ")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err + "\n--- log\n" + log;
        }
    }

    private Run cli(Path kubeconfig) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.run(
                    new PrintWriter(out),
                    new PrintWriter(err),
                    "longhorn",
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "-n",
                    ns.name(),
                    "-l",
                    "app=tls",
                    "--timeout",
                    "30s",
                    "--yes");
        } finally {
            System.setErr(original);
        }
        return new Run(exit, out.toString(), err.toString(), log.toString(StandardCharsets.UTF_8));
    }
}
