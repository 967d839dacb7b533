package dev.kubeteardown.it;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A real kube-apiserver 1.20.2 with etcd and, when the binary is available, kube-controller-manager
 * (garbage collector and namespace controllers), on 127.0.0.1, started once per test JVM.
 *
 * <p>{@link #get()} starts it lazily and thread-safely through {@code scripts/test-cluster}: {@code binaries}
 * (reuses {@code $KUBEBUILDER_ASSETS} or the cache, building it on first use, about 10 min), then {@code start
 * --no-kcm}, then the Longhorn v1.12 CRDs, the {@value #LONGHORN_NAMESPACE} namespace and RBAC for the limited user
 * are installed from here, and only then {@code start-kcm}: the garbage collector only watches resource types that
 * exist when it starts. Logs, pid files and certificates live in {@code target/it-cluster/}.
 *
 * <p>Every process is stopped by its PID in a JVM shutdown hook; {@code scripts/test-cluster} also runs a watchdog
 * that stops them when this JVM is gone, even after {@code kill -9}. A failed start is remembered and rethrown to
 * every later caller, so one broken environment does not restart the servers for each test.
 */
public final class RealApiServer {

    /** Namespace created for Longhorn objects. */
    public static final String LONGHORN_NAMESPACE = "longhorn-system";
    /** Classpath resource holding the CRDs installed before the controller manager starts. */
    public static final String LONGHORN_CRDS = "longhorn/crds-v1.12.yaml";
    /**
     * All 25 Longhorn v1.12 CRDs (a superset of {@link #LONGHORN_CRDS}), for whole-suite teardown tests: not installed
     * at start-up, see {@link #installCrds(String)}.
     */
    public static final String LONGHORN_FULL_CRDS = "longhorn/crds-v1.12-full.yaml";
    /** User name of {@link #limitedToken()}; may get, list and watch Longhorn backups, nothing else. */
    public static final String LIMITED_USER = "limited";
    /** ClusterRole (and ClusterRoleBinding) granting {@link #LIMITED_USER} read access to backups. */
    public static final String LIMITED_ROLE = "kube-teardown-it-backup-reader";

    /**
     * System property: {@code true} starts the apiserver with an audit log of every request at Metadata level
     * ({@code scripts/test-cluster start --audit}, log in {@code target/it-cluster/audit.log}); read at start.
     */
    public static final String AUDIT_PROPERTY = "kubeteardown.it.audit";

    private static final Logger LOG = LoggerFactory.getLogger(RealApiServer.class);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(40);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int START_ATTEMPTS = 3;
    /**
     * The servers, dependants first. All get SIGTERM at once, then are awaited: stopping them one by one would add
     * their shutdown times up, and a shutdown hook has little time. The watchdog is stopped last, so that if this JVM
     * dies while stopping them, the watchdog still does it (it acts only once this JVM is gone, so it cannot race us).
     */
    private static final List<String> SERVERS = List.of("kcm", "apiserver", "etcd");

    private static final String WATCHDOG = "watchdog";
    private static final Map<String, String> PROCESS_COMMAND = Map.of(
            "watchdog",
            "test-cluster",
            "kcm",
            "kube-controller-manager",
            "apiserver",
            "kube-apiserver",
            "etcd",
            "etcd");

    private static RealApiServer instance;
    private static RuntimeException startFailure;

    private final Path workDir;
    private final Path script;
    private final Path scriptLog;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Long> pids = new ArrayList<>();
    private boolean garbageCollector;
    private byte[] caCert;
    private long startupMillis;

    private RealApiServer(Path projectDir) {
        this.workDir = projectDir.resolve("target").resolve("it-cluster");
        this.script = projectDir.resolve("scripts").resolve("test-cluster");
        this.scriptLog = workDir.resolve("test-cluster.log");
    }

    /** The cluster of this JVM, started on first use. Throws {@link IllegalStateException} when it cannot start. */
    public static synchronized RealApiServer get() {
        if (instance != null) {
            return instance;
        }
        if (startFailure != null) {
            throw new IllegalStateException(
                    "the real API server failed to start earlier in this JVM: " + startFailure.getMessage(),
                    startFailure);
        }
        RealApiServer server = new RealApiServer(projectDir());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "real-apiserver-stop"));
        try {
            server.start();
        } catch (RuntimeException | Error e) {
            server.stop();
            startFailure = e instanceof RuntimeException re ? re : new IllegalStateException(e.toString(), e);
            throw e;
        }
        instance = server;
        return server;
    }

    /** A client authenticated as the admin (group {@code system:masters}), trusting the server's CA. */
    public ApiClient adminClient() {
        return client(adminToken());
    }

    /** A client authenticated as {@value #LIMITED_USER}: get/list/watch on backups and backupvolumes only. */
    public ApiClient limitedClient() {
        return client(limitedToken());
    }

    /** A client with the given bearer token, trusting the server's CA (from {@code apiserver.crt}). */
    public ApiClient client(String token) {
        return new ClientBuilder()
                .setBasePath(apiUrl())
                .setVerifyingSsl(true)
                .setCertificateAuthority(caCert.clone())
                .setAuthentication(new AccessTokenAuthentication(token))
                .setReadTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** {@code https://127.0.0.1:PORT}. */
    public String apiUrl() {
        return env.get("API_URL");
    }

    public String adminToken() {
        return env.get("ADMIN_TOKEN");
    }

    public String limitedToken() {
        return env.get("LIMITED_TOKEN");
    }

    /** The serving certificate followed by its self-signed CA (PEM); trust it to reach {@link #apiUrl()}. */
    public Path caFile() {
        return Paths.get(env.get("CA_FILE"));
    }

    /** Whether kube-controller-manager runs, so that owned objects are garbage-collected. */
    public boolean hasGarbageCollector() {
        return garbageCollector;
    }

    /** How long {@link #get()} took to start everything (binaries lookup, servers, CRDs, RBAC, GC sync). */
    public long startupMillis() {
        return startupMillis;
    }

    /** {@code target/it-cluster}: logs ({@code *.log}), pid files and the {@code env} file. */
    public Path workDir() {
        return workDir;
    }

    /**
     * SIGKILLs the running kube-apiserver (by its recorded PID) and returns at once; {@link #restartApiServer()}
     * brings it back. A test that calls this must restart it before it ends: later tests of this JVM share it.
     */
    public synchronized void killApiServer() {
        ProcessHandle apiserver = verified("apiserver")
                .orElseThrow(() -> new IllegalStateException("no running kube-apiserver recorded in " + workDir));
        apiserver.destroyForcibly();
        if (!awaitExit(apiserver.pid(), Duration.ofSeconds(10))) {
            throw new IllegalStateException("kube-apiserver (pid " + apiserver.pid() + ") survived SIGKILL");
        }
    }

    /**
     * Starts kube-apiserver again on the same port with the same certificates, flags and etcd (killing it first if it
     * still runs), and returns once {@code /readyz} answers 200 and backups are served again.
     */
    public synchronized void restartApiServer() throws Exception {
        runScript(START_TIMEOUT, "restart-apiserver", workDir.toString());
        readEnv();
        CustomObjectsApi api = new CustomObjectsApi(adminClient());
        await("backups.longhorn.io served after the restart", READY_TIMEOUT, () -> {
            try {
                api.listNamespacedCustomObject("longhorn.io", "v1beta2", LONGHORN_NAMESPACE, "backups")
                        .limit(1)
                        .execute();
                return Optional.of(true);
            } catch (ApiException e) {
                return Optional.empty();
            }
        });
    }

    /** SIGSTOPs etcd: to the API server it is gone (requests to it hang) until {@link #resumeEtcd()}. */
    public synchronized void pauseEtcd() throws IOException, InterruptedException {
        runScript(Duration.ofSeconds(30), "pause-etcd", workDir.toString());
    }

    /** SIGCONTs etcd after {@link #pauseEtcd()}; idempotent. */
    public synchronized void resumeEtcd() throws IOException, InterruptedException {
        runScript(Duration.ofSeconds(30), "resume-etcd", workDir.toString());
    }

    /** Writes a kubeconfig for {@link #apiUrl()} with this token, embedding the CA, and returns {@code file}. */
    public Path writeKubeconfig(Path file, String token) throws IOException {
        String yaml = String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: kube-teardown-it",
                "  cluster:",
                "    server: " + apiUrl(),
                "    certificate-authority-data: " + Base64.getEncoder().encodeToString(caCert),
                "users:",
                "- name: kube-teardown-it",
                "  user:",
                "    token: " + token,
                "contexts:",
                "- name: kube-teardown-it",
                "  context:",
                "    cluster: kube-teardown-it",
                "    user: kube-teardown-it",
                "current-context: kube-teardown-it",
                "");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** A check polled by {@link #await}: empty means "not yet". */
    @FunctionalInterface
    public interface Probe<T> {
        Optional<T> poll() throws Exception;
    }

    /**
     * Polls {@code probe} every 100 ms until it yields a value, and fails with {@code what} once {@code timeout} has
     * passed. Exceptions of the probe propagate.
     */
    public static <T> T await(String what, Duration timeout, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.poll();
            if (value.isPresent()) {
                return value.get();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(Math.min(POLL_INTERVAL.toMillis(), TimeUnit.NANOSECONDS.toMillis(remaining) + 1));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // start and stop
    // ------------------------------------------------------------------------------------------------

    private void start() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(workDir);
            Files.deleteIfExists(scriptLog);
            // A previous JVM's processes, if any survived (the watchdog normally stops them): stop them by PID.
            runScript(Duration.ofSeconds(60), "stop", workDir.toString());
            Path bin = Paths.get(runScript(BUILD_TIMEOUT, "binaries").strip());
            for (String binary : List.of("kube-apiserver", "etcd")) {
                if (!Files.isExecutable(bin.resolve(binary))) {
                    throw new IllegalStateException("scripts/test-cluster binaries printed " + bin
                            + " but it has no executable " + binary + " (see " + scriptLog + ")");
                }
            }
            boolean kcmAvailable = Files.isExecutable(bin.resolve("kube-controller-manager"));
            long tBinaries = System.nanoTime();
            LOG.info(
                    "binaries in {} ({} ms){}",
                    bin,
                    millisSince(t0),
                    kcmAvailable ? "" : "; no kube-controller-manager there: no garbage collector");

            startServers();
            readEnv();
            long tApi = System.nanoTime();
            LOG.info("etcd + kube-apiserver ready at {} ({} ms)", apiUrl(), millisSince(tBinaries));

            ApiClient admin = adminClient();
            installCrds(admin, LONGHORN_CRDS);
            createNamespace(admin, LONGHORN_NAMESPACE);
            createLimitedRbac(admin);
            long tSetup = System.nanoTime();
            LOG.info("CRDs, namespace and RBAC installed ({} ms)", millisSince(tApi));

            if (kcmAvailable) {
                runScript(START_TIMEOUT, "start-kcm", workDir.toString());
                readEnv();
                garbageCollector = true;
                LOG.info("kube-controller-manager garbage collector synced ({} ms)", millisSince(tSetup));
            }
            startupMillis = millisSince(t0);
            LOG.info("real API server up in {} ms (logs in {})", startupMillis, workDir);
        } catch (IOException e) {
            throw new IllegalStateException("starting the real API server failed: " + e, e);
        } catch (ApiException e) {
            throw new IllegalStateException(
                    "setting up the real API server failed: HTTP " + e.getCode() + " " + e.getResponseBody(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the real API server", e);
        }
    }

    /**
     * {@code scripts/test-cluster start --no-kcm}, tried again (up to {@value #START_ATTEMPTS} times) when a port it
     * picked as free was taken by another process before etcd or the apiserver bound it: other test JVMs on the same
     * machine open ports all the time, and the script's "free port" is only free when it looks.
     */
    private void startServers() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                List<String> args = new ArrayList<>(List.of(
                        "start",
                        workDir.toString(),
                        "--no-kcm",
                        "--owner-pid",
                        Long.toString(ProcessHandle.current().pid())));
                if (Boolean.getBoolean(AUDIT_PROPERTY)) {
                    args.add("--audit");
                }
                runScript(START_TIMEOUT, args.toArray(String[]::new));
                return;
            } catch (IllegalStateException e) {
                if (attempt >= START_ATTEMPTS || !portTaken()) {
                    throw e;
                }
                LOG.warn(
                        "start attempt {} of {} failed because a port was taken meanwhile (address already in use); retrying",
                        attempt,
                        START_ATTEMPTS);
                runScript(Duration.ofSeconds(60), "stop", workDir.toString());
            }
        }
    }

    private boolean portTaken() {
        for (String log : List.of("etcd.log", "apiserver.log")) {
            try {
                if (Files.readString(workDir.resolve(log), StandardCharsets.UTF_8)
                        .contains("address already in use")) {
                    return true;
                }
            } catch (IOException e) {
                // no such log: that component did not get as far
            }
        }
        return false;
    }

    /** Stops every process recorded in the pid files, by PID only; idempotent. Called by the shutdown hook. */
    synchronized void stop() {
        Map<String, ProcessHandle> signalled = new LinkedHashMap<>();
        for (String name : SERVERS) {
            verified(name).ifPresent(process -> {
                process.destroy(); // SIGTERM
                signalled.put(name, process);
            });
        }
        signalled.forEach(RealApiServer::awaitOrKill);
        SERVERS.forEach(this::deletePidFile);
        verified(WATCHDOG).ifPresent(watchdog -> {
            List<ProcessHandle> children = watchdog.descendants().toList(); // e.g. its sleep, orphaned once it dies
            watchdog.destroy();
            children.forEach(ProcessHandle::destroy);
            awaitOrKill(WATCHDOG, watchdog);
        });
        deletePidFile(WATCHDOG);
    }

    /** The running process of this pid file, if it still runs what we started (a PID may have been reused). */
    private Optional<ProcessHandle> verified(String name) {
        Optional<Long> pid = readPid(workDir.resolve(name + ".pid"));
        if (pid.isEmpty() || !running(pid.get())) {
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get());
        Optional<String> commandLine = handle.flatMap(h -> h.info().commandLine());
        String expected = PROCESS_COMMAND.get(name);
        if (commandLine.isPresent() && !commandLine.get().contains(expected)) {
            System.err.println("RealApiServer: pid " + pid.get() + " of " + name + " now runs '" + commandLine.get()
                    + "', not " + expected + ": not killing it");
            return Optional.empty();
        }
        return handle;
    }

    /** Waits for a process sent SIGTERM; SIGKILL when it does not exit in time. */
    private static void awaitOrKill(String name, ProcessHandle process) {
        long pid = process.pid();
        if (!awaitExit(pid, Duration.ofSeconds(15))) {
            System.err.println("RealApiServer: " + name + " (pid " + pid + ") did not exit after SIGTERM: SIGKILL");
            process.destroyForcibly();
            if (!awaitExit(pid, Duration.ofSeconds(5))) {
                System.err.println("RealApiServer: " + name + " (pid " + pid + ") still alive after SIGKILL");
            }
        }
    }

    private void deletePidFile(String name) {
        Path pidFile = workDir.resolve(name + ".pid");
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            System.err.println("RealApiServer: could not delete " + pidFile + ": " + e);
        }
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running(pid)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !running(pid);
            }
        }
        return true;
    }

    /**
     * Whether the process exists and is not a zombie. The servers are orphans (their parent, the script, has exited),
     * and an exited orphan lingers as a zombie until init reaps it, which can take seconds; {@link
     * ProcessHandle#isAlive()} still reports such a zombie as alive.
     */
    private static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return !Files.isDirectory(Paths.get("/proc"))
                    && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            String text = Files.readString(pidFile).strip();
            return text.matches("\\d+") ? Optional.of(Long.parseLong(text)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs {@code bash scripts/test-cluster ARGS} and returns its stdout. Its stderr (progress, and the tail of a
     * component's log when one fails) is appended to {@link #scriptLog} and quoted in the exception when it fails.
     */
    private String runScript(Duration timeout, String... args) throws IOException, InterruptedException {
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("missing " + script);
        }
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        String shown = "scripts/test-cluster " + String.join(" ", args);
        Path stdout = Files.createTempFile(workDir, "test-cluster-", ".out");
        Path stderr = Files.createTempFile(workDir, "test-cluster-", ".err");
        Process process = null;
        boolean finished = false;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                destroyTree(process.toHandle());
            }
            Files.writeString(
                    scriptLog,
                    "$ " + String.join(" ", command) + "\n" + Files.readString(stderr),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            if (!finished) {
                throw new IllegalStateException(
                        shown + " did not finish within " + timeout + "; its last output:\n" + tail(stderr, 40));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(shown + " failed with exit code " + process.exitValue()
                        + "; its last output (all of it in " + scriptLog + "):\n" + tail(stderr, 40));
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            if (process != null && !finished) { // interrupted while waiting: the script must not outlive us either
                destroyTree(process.toHandle());
            }
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    /**
     * SIGTERM to a script and everything it started (a build's apt/go, a server being started), SIGKILL to what is
     * left after 10 s. The descendants are collected first: once the script dies they are re-parented and no longer
     * found. Idempotent. Keeps the thread's interrupt status.
     */
    private static void destroyTree(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(0, root);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean interrupted = Thread.interrupted();
        for (ProcessHandle p : tree) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0 && !interrupted) {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                interrupted = true; // stop waiting, kill the rest below
            } catch (ExecutionException | TimeoutException e) {
                // not gone in time: killed below
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static final Pattern ENV_LINE = Pattern.compile("^([A-Z_][A-Z0-9_]*)='([^']*)'$");

    private void readEnv() throws IOException {
        Path file = workDir.resolve("env");
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = ENV_LINE.matcher(line);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        for (String key : List.of("API_URL", "ADMIN_TOKEN", "LIMITED_TOKEN", "CA_FILE", "ETCD_PID", "APISERVER_PID")) {
            if (env.getOrDefault(key, "").isEmpty()) {
                throw new IllegalStateException(file + " lacks " + key);
            }
        }
        caCert = Files.readAllBytes(caFile());
    }

    // ------------------------------------------------------------------------------------------------
    // cluster setup
    // ------------------------------------------------------------------------------------------------

    /**
     * Installs every CRD of a multi-document YAML classpath resource (those already there are kept) and waits until
     * each is Established. For tests that need more types than the start-up installs, e.g. {@link
     * #LONGHORN_FULL_CRDS}; the garbage collector sees such late types only at its next discovery resync (~30 s).
     */
    public synchronized void installCrds(String resource) throws ApiException, IOException, InterruptedException {
        installCrds(adminClient(), resource);
    }

    /** {@link #installCrds(String)} for CRDs given as maps (e.g. {@link #readCrds} with a field changed). */
    public synchronized void installCrds(String what, List<Map<String, Object>> crds)
            throws ApiException, InterruptedException {
        createCrds(adminClient(), what, crds);
    }

    /**
     * Deletes these CRDs (by name, e.g. {@code backups.longhorn.io}; absent ones are fine). Their types leave
     * discovery a moment later: callers await what they need.
     */
    public void deleteCrds(List<String> names) throws ApiException {
        CustomObjectsApi api = new CustomObjectsApi(adminClient());
        for (String name : names) {
            try {
                api.deleteClusterCustomObject("apiextensions.k8s.io", "v1", "customresourcedefinitions", name)
                        .execute();
            } catch (ApiException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    /** The CRDs of a multi-document YAML classpath resource, as plain maps, in file order. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> readCrds(String resource) throws IOException {
        List<Map<String, Object>> crds = new ArrayList<>();
        try (InputStream in = RealApiServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + resource + " not found");
            }
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                if (doc instanceof Map<?, ?> crd) {
                    crds.add((Map<String, Object>) crd);
                }
            }
        }
        return crds;
    }

    /**
     * Creates every CRD of a multi-document YAML resource and waits until each is Established. The YAML is read as
     * plain maps and posted unchanged: client-java's typed CRD model cannot read the v1.12 schemas and its empty
     * fields are rejected by a 1.20 server.
     */
    private static void installCrds(ApiClient admin, String resource)
            throws ApiException, IOException, InterruptedException {
        createCrds(admin, resource, readCrds(resource));
    }

    private static void createCrds(ApiClient admin, String what, List<Map<String, Object>> crds)
            throws ApiException, InterruptedException {
        CustomObjectsApi api = new CustomObjectsApi(admin);
        List<String> names = new ArrayList<>();
        for (Map<String, Object> crd : crds) {
            String name = String.valueOf(((Map<?, ?>) crd.get("metadata")).get("name"));
            try {
                api.createClusterCustomObject("apiextensions.k8s.io", "v1", "customresourcedefinitions", crd)
                        .execute();
            } catch (ApiException e) {
                if (e.getCode() != 409) {
                    throw new IllegalStateException(
                            "creating CRD " + name + " from " + what + " failed: HTTP " + e.getCode() + " "
                                    + e.getResponseBody(),
                            e);
                }
            }
            names.add(name);
        }
        for (String name : names) {
            try {
                await(
                        "CRD " + name + " to be Established",
                        READY_TIMEOUT,
                        () -> established(api, name) ? Optional.of(true) : Optional.empty());
            } catch (InterruptedException | RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean established(CustomObjectsApi api, String name) throws ApiException {
        Object crd = api.getClusterCustomObject("apiextensions.k8s.io", "v1", "customresourcedefinitions", name)
                .execute();
        if (crd instanceof Map<?, ?> map
                && map.get("status") instanceof Map<?, ?> status
                && status.get("conditions") instanceof List<?> conditions) {
            for (Object c : conditions) {
                if (c instanceof Map<?, ?> condition
                        && "Established".equals(condition.get("type"))
                        && "True".equals(condition.get("status"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void createNamespace(ApiClient admin, String name) throws ApiException {
        try {
            new CoreV1Api(admin)
                    .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name)))
                    .execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private static void createLimitedRbac(ApiClient admin) throws ApiException {
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
        V1ClusterRole role = new V1ClusterRole()
                .metadata(new V1ObjectMeta().name(LIMITED_ROLE))
                .addRulesItem(new V1PolicyRule()
                        .addApiGroupsItem("longhorn.io")
                        .resources(List.of("backups", "backupvolumes"))
                        .verbs(List.of("get", "list", "watch")));
        V1ClusterRoleBinding binding = new V1ClusterRoleBinding()
                .metadata(new V1ObjectMeta().name(LIMITED_ROLE))
                .roleRef(new V1RoleRef()
                        .apiGroup("rbac.authorization.k8s.io")
                        .kind("ClusterRole")
                        .name(LIMITED_ROLE))
                .addSubjectsItem(new RbacV1Subject()
                        .apiGroup("rbac.authorization.k8s.io")
                        .kind("User")
                        .name(LIMITED_USER));
        try {
            rbac.createClusterRole(role).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        try {
            rbac.createClusterRoleBinding(binding).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    private static Path projectDir() {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        for (Path dir = Paths.get(base).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts").resolve("test-cluster"))) {
                return dir;
            }
        }
        throw new IllegalStateException("scripts/test-cluster not found in " + base + " or any parent directory");
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    @Override
    public String toString() {
        return "RealApiServer[" + apiUrl() + ", gc=" + garbageCollector + ", workDir=" + workDir + "]";
    }
}
