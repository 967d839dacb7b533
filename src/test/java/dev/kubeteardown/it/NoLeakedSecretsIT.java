package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.cli.Main;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No secret leaks: with DEBUG logging for kube-teardown, client-java and OkHttp, runs that succeed, fail with 401,
 * fail with 403, and the command line (text and JSON, a kubeconfig holding a token and a client key, a bad token, an
 * untrusted server) leave the bearer token, the client key and the kubeconfig's secrets out of every log line,
 * report, exception message, stack trace, {@code toString()} and command output.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class NoLeakedSecretsIT {

    private static final String WRONG_TOKEN = "wrong-token-0123456789abcdef";

    private final RealApiServer server;
    private ItNamespace ns;
    private LogCapture logs;
    /** Everything a user could see, appended by each scenario. */
    private final StringBuilder seen = new StringBuilder();

    @TempDir
    Path dir;

    NoLeakedSecretsIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void setUp() throws Exception {
        ns = ItNamespace.create(server, "secrets");
        logs = LogCapture.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        logs.close();
        ns.close();
    }

    @Test
    @DisplayName("library runs (clean, 401, 403) at DEBUG: no token in logs, reports, messages, stack traces, toString")
    void libraryRunsLeakNoToken() throws Exception {
        ns.create(backup("clean-1").label("app", "clean"));
        ns.create(backup("kept-1").label("app", "kept"));

        BackupCleanup clean = step(server.adminClient(), "app=clean");
        see(clean.toString());
        see(clean.cleanups().toString());
        CleanupReport report = clean.execute();
        assertTrue(report.isClean(), report.table());
        see(report);

        CleanupConfigurationException unauthorized = assertThrows(
                CleanupConfigurationException.class,
                () -> step(server.client(WRONG_TOKEN), "app=kept").execute());
        assertTrue(unauthorized.getMessage().contains("401"), unauthorized.getMessage());
        see(unauthorized);

        BackupCleanup forbidden = step(server.limitedClient(), "app=kept");
        CleanupFailedException failed = assertThrows(CleanupFailedException.class, forbidden::run);
        assertTrue(failed.getMessage().contains("403 Forbidden"), failed.getMessage());
        see(failed);

        assertNoSecrets(List.of(server.adminToken(), server.limitedToken(), WRONG_TOKEN));
    }

    @Test
    @DisplayName("the command line (text, JSON, 401, untrusted server) with a token and a client key in the kubeconfig:"
            + " neither appears in its output or logs")
    void commandLineLeaksNoKubeconfigSecret() throws Exception {
        ClientKey key = ClientKey.generate();
        ns.create(backup("cli-1").label("app", "cli"));
        ns.create(backup("cli-2").label("app", "cli"));
        Path good = kubeconfig("good", server.adminToken(), null, true);
        // client-java sends the client certificate instead of the token when both are there: the server, which
        // does not know the certificate's issuer, then sees an anonymous user (403)
        Path keyed = kubeconfig("keyed", server.adminToken(), key, true);
        Path badToken = kubeconfig("bad-token", WRONG_TOKEN, null, true);
        Path noCa = kubeconfig("no-ca", server.adminToken(), key, false);

        assertEquals(Main.CLEAN, cli(good, "--dry-run", "-o", "json"), seen::toString);
        assertEquals(Main.CLEAN, cli(good, "--yes"), seen::toString);
        assertEquals(Main.USAGE, cli(keyed, "--yes", "-o", "json"), seen::toString);
        assertEquals(Main.USAGE, cli(badToken, "--yes"), seen::toString);
        assertEquals(Main.USAGE, cli(noCa, "--yes"), seen::toString);
        assertTrue(seen.toString().contains("\"clean\""), "the JSON report was printed:\n" + seen);
        assertTrue(seen.toString().contains("403 Forbidden"), "the 403 was reported:\n" + seen);
        assertTrue(seen.toString().contains("401 Unauthorized"), "the 401 was reported:\n" + seen);
        assertTrue(seen.toString().contains("not trusted"), "the TLS failure was reported:\n" + seen);

        List<String> secrets = new ArrayList<>(List.of(server.adminToken(), WRONG_TOKEN));
        secrets.addAll(key.secrets());
        assertNoSecrets(secrets);
    }

    // ------------------------------------------------------------------------------------------------

    private BackupCleanup step(ApiClient client, String selector) {
        return BackupCleanup.builder(client)
                .namespace(ns.name())
                .labelSelector(selector)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private void see(Object shown) {
        seen.append(shown).append('\n');
        if (shown instanceof CleanupReport r) {
            seen.append(r.summary())
                    .append('\n')
                    .append(r.table())
                    .append('\n')
                    .append(r.toJson())
                    .append('\n');
            r.outcomes().forEach(o -> seen.append(o).append('\n'));
        }
        if (shown instanceof Throwable t) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            seen.append(trace).append('\n');
            if (t instanceof CleanupFailedException f) {
                see(f.report());
            }
        }
    }

    private int cli(Path kubeconfig, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "longhorn",
                "--kubeconfig",
                kubeconfig.toString(),
                "-n",
                ns.name(),
                "-l",
                "app=cli",
                "--timeout",
                "20s"));
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        see(out);
        see(err);
        return code;
    }

    private void assertNoSecrets(List<String> secrets) {
        String logged = logs.text();
        // the capture works: at DEBUG the INFO summaries of kube-teardown are there
        assertTrue(logged.contains(" INFO dev.kubeteardown."), "DEBUG logging was captured:\n" + logged);
        Map<String, String> places = new LinkedHashMap<>();
        places.put("log", logged);
        places.put("reports, messages, stack traces and output", seen.toString());
        for (String secret : secrets) {
            places.forEach((where, text) -> assertTrue(
                    !text.contains(secret), "a secret (" + secret.length() + " chars) leaked in the " + where));
        }
    }

    /** A kubeconfig for the tier with this token, and this client key and certificate unless {@code key} is null. */
    private Path kubeconfig(String name, String token, ClientKey key, boolean withCa) throws Exception {
        String yaml = String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: secrets-it",
                "  cluster:",
                "    server: " + server.apiUrl(),
                withCa
                        ? "    certificate-authority-data: "
                                + Base64.getEncoder().encodeToString(Files.readAllBytes(server.caFile()))
                        : "",
                "users:",
                "- name: secrets-it",
                "  user:",
                "    token: " + token,
                key == null ? "" : "    client-certificate-data: " + key.certificateData(),
                key == null ? "" : "    client-key-data: " + key.keyData(),
                "contexts:",
                "- name: secrets-it",
                "  context:",
                "    cluster: secrets-it",
                "    user: secrets-it",
                "current-context: secrets-it",
                "");
        return Files.writeString(dir.resolve(name), yaml, StandardCharsets.UTF_8);
    }

    /** A client certificate and its RSA key, PEM, as a kubeconfig holds them (base64 of the PEM). */
    private record ClientKey(String certificatePem, String keyPem) {
        static ClientKey generate() throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=kube-teardown-secrets-it");
            Instant now = Instant.now();
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    subject,
                                    BigInteger.valueOf(now.toEpochMilli()),
                                    Date.from(now.minusSeconds(60)),
                                    Date.from(now.plus(Duration.ofDays(1))),
                                    subject,
                                    pair.getPublic())
                            .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
            return new ClientKey(
                    pem("CERTIFICATE", certificate.getEncoded()),
                    pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }

        String certificateData() {
            return Base64.getEncoder().encodeToString(certificatePem.getBytes(StandardCharsets.US_ASCII));
        }

        String keyData() {
            return Base64.getEncoder().encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII));
        }

        /** The key as the kubeconfig holds it, and each line of its PEM body. */
        List<String> secrets() {
            List<String> secrets = new ArrayList<>(List.of(keyData()));
            keyPem.lines().filter(l -> !l.startsWith("-----")).forEach(secrets::add);
            return secrets;
        }
    }

    /**
     * Every log line while open: slf4j-simple (the test binding; it writes to {@code System.err}) at DEBUG for
     * kube-teardown, client-java and OkHttp, and java.util.logging (OkHttp's own) at every level.
     */
    private static final class LogCapture implements AutoCloseable {
        private static final List<String> PREFIXES = List.of("dev.kubeteardown", "io.kubernetes", "okhttp3");
        private static final int DEBUG = 10; // SimpleLogger.LOG_LEVEL_DEBUG
        private static final int WARN = 30; // SimpleLogger.LOG_LEVEL_WARN

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream originalErr = System.err;
        private final Map<Logger, Integer> levels = new LinkedHashMap<>();
        private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        private final Level julLevel = julRoot.getLevel();
        private final List<String> julRecords = new ArrayList<>();
        private final Handler julHandler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (julRecords) {
                    julRecords.add(record.getLoggerName() + " " + record.getLevel() + " " + record.getMessage()
                            + (record.getThrown() == null ? "" : " " + record.getThrown()));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };

        static LogCapture start() throws Exception {
            LogCapture capture = new LogCapture();
            for (String prefix : PREFIXES) {
                System.setProperty("org.slf4j.simpleLogger.log." + prefix, "debug"); // loggers created from now on
            }
            // loggers created earlier in this JVM keep their level: lower it for the capture
            Object factory = LoggerFactory.getILoggerFactory();
            Field map = factory.getClass().getDeclaredField("loggerMap");
            map.setAccessible(true);
            for (Object logger : ((ConcurrentMap<?, ?>) map.get(factory)).values()) {
                Logger l = (Logger) logger;
                if (PREFIXES.stream().anyMatch(p -> l.getName().startsWith(p))) {
                    Field level = findLevelField(l.getClass());
                    capture.levels.put(l, level.getInt(l));
                    level.setInt(l, DEBUG);
                }
            }
            System.setErr(new PrintStream(capture.bytes, true, StandardCharsets.UTF_8));
            capture.julRoot.setLevel(Level.ALL);
            capture.julRoot.addHandler(capture.julHandler);
            return capture;
        }

        private static Field findLevelField(Class<?> type) throws NoSuchFieldException {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    Field f = c.getDeclaredField("currentLogLevel");
                    f.setAccessible(true);
                    return f;
                } catch (NoSuchFieldException e) {
                    // look in the superclass
                }
            }
            throw new NoSuchFieldException("currentLogLevel in " + type);
        }

        String text() {
            System.err.flush();
            synchronized (julRecords) {
                return bytes.toString(StandardCharsets.UTF_8) + "\n" + String.join("\n", julRecords);
            }
        }

        @Override
        public void close() throws Exception {
            System.setErr(originalErr);
            julRoot.removeHandler(julHandler);
            julRoot.setLevel(julLevel);
            for (String prefix : PREFIXES) {
                System.clearProperty("org.slf4j.simpleLogger.log." + prefix);
            }
            Object factory = LoggerFactory.getILoggerFactory();
            Field map = factory.getClass().getDeclaredField("loggerMap");
            map.setAccessible(true);
            for (Object logger : ((ConcurrentMap<?, ?>) map.get(factory)).values()) {
                Logger l = (Logger) logger;
                if (PREFIXES.stream().anyMatch(p -> l.getName().startsWith(p))) {
                    // created during the capture: back to the tier's level (simplelogger.properties says warn)
                    findLevelField(l.getClass()).setInt(l, levels.getOrDefault(l, WARN));
                }
            }
        }
    }
}
