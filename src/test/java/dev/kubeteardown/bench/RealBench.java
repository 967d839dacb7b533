package dev.kubeteardown.bench;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.cli.NaiveTeardown;
import dev.kubeteardown.it.ItNamespace;
import dev.kubeteardown.it.RealApiServer;
import dev.kubeteardown.it.RealServerLonghornController;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scripts/bench --real}: the same teardown on the real kube-apiserver 1.20.2 (+ etcd, kube-controller-manager)
 * of {@link RealApiServer}, no injected latency. Per run a fresh namespace with N backups created in parallel
 * ({@code ItNamespace}), then one variant, timed until the list is empty:
 * naive, kube-teardown default, kube-teardown p=32, and the server's own bulk path (one deletecollection, then
 * polling until empty) as the reference for the server's per-object cost; plus backups carrying the finalizer
 * {@code longhorn.io} released ~200 ms after their deletion by {@code RealServerLonghornController}, for naive vs
 * kube-teardown. Then the same teardown as a user runs it, a new process per run with its JVM start: the CLI jar
 * ({@code java -jar}), the launcher {@code target/kube-teardown}, against a curl naive loop and one curl
 * deletecollection; and the CLI {@value #WARM_RUNS} times in one JVM (first run vs warm runs). Every row has the
 * client's and the servers' CPU per object. Writes {@code real.md} and {@code real.json} ({@code real-audit.*} with
 * {@code --audit}, the apiserver then writing an audit log).
 */
final class RealBench {

    static final String GROUP = "longhorn.io";
    static final String VERSION = "v1beta2";
    static final String BACKUPS = "backups";
    static final Duration RELEASE_DELAY = Duration.ofMillis(200);
    static final int CREATE_THREADS = 32;
    static final Duration GONE_TIMEOUT = Duration.ofMinutes(3);

    /**
     * One measured configuration: wall seconds per run, and per run the CPU seconds of the client (the teardown's
     * threads in this JVM, or the whole client process with its JVM) and of the servers (kube-apiserver + etcd).
     */
    record Row(
            String workload,
            int n,
            String variant,
            List<Double> seconds,
            List<Double> clientCpu,
            List<Double> serverCpu,
            boolean clean,
            String problem) {
        double median() {
            List<Double> s = seconds.stream().sorted().toList();
            if (s.isEmpty()) {
                return Double.NaN;
            }
            int m = s.size() / 2;
            return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
        }

        double objectsPerSecond() {
            return n / median();
        }

        /** Median client CPU per object, in milliseconds. */
        double clientCpuMsPerObject() {
            return medianOf(clientCpu) * 1e3 / n;
        }

        double serverCpuMsPerObject() {
            return medianOf(serverCpu) * 1e3 / n;
        }
    }

    static double medianOf(List<Double> values) {
        List<Double> s = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }

    /** What a teardown reports: empty problem when clean; its client CPU when it ran in another process. */
    record Done(String problem, double processCpuSeconds) {
        static Done inProcess(String problem) {
            return new Done(problem, Double.NaN);
        }
    }

    private interface Teardown {
        /** Runs the teardown of namespace {@code ns}. */
        Done run(ApiClient client, String ns) throws Exception;
    }

    static final int WARM_RUNS = 5;
    static final Path CLI_JAR = Path.of("target", "kube-teardown-cli.jar").toAbsolutePath();
    static final Path LAUNCHER = Path.of("target", "kube-teardown").toAbsolutePath();
    static final String NO_FINALIZER = "no finalizer";
    static final String NO_FINALIZER_PROCESS = "no finalizer, new process each run";
    static final String NO_FINALIZER_ONE_JVM = "no finalizer, CLI runs in one JVM";
    static final String DELETECOLLECTION = "deletecollection (server bulk)";
    static final String CLI_JAVA_JAR = "CLI java -jar";
    static final String CLI_LAUNCHER = "CLI target/kube-teardown";
    static final String NAIVE_CURL = "naive loop (curl, one by one)";
    static final String DELETECOLLECTION_CURL = "deletecollection (curl)";
    static final String WARM_FIRST = "CLI run 1 (fresh JVM, start excluded)";
    static final String WARM_LATER = "CLI runs 2-5 (warm JVM)";

    private final BenchOptions options;
    private final PrintStream out;
    private final List<Row> rows = new ArrayList<>();
    private boolean audit;
    private List<Long> serverPids = List.of();
    private Path kubeconfig;

    RealBench(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    int run() throws Exception {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        if (options.audit) {
            System.setProperty(RealApiServer.AUDIT_PROPERTY, "true");
        }
        audit = Boolean.getBoolean(RealApiServer.AUDIT_PROPERTY);
        out.println("real: starting etcd + kube-apiserver 1.20.2 + kube-controller-manager (scripts/test-cluster)"
                + (audit ? ", audit log on" : ""));
        RealApiServer server = RealApiServer.get();
        out.printf(Locale.ROOT, "real: API server up at %s in %.1f s%n", server.apiUrl(), server.startupMillis() / 1e3);
        ApiClient client = server.adminClient();
        serverPids = List.of(pid(server, "apiserver"), pid(server, "etcd"));
        Files.createDirectories(options.out);
        kubeconfig = server.writeKubeconfig(options.out.resolve("real-admin.kubeconfig"), server.adminToken());
        boolean cli = Files.isRegularFile(CLI_JAR) && Files.isExecutable(LAUNCHER);
        if (!cli) {
            out.println("real: " + CLI_JAR + " or " + LAUNCHER + " missing (mvn package): no CLI rows");
        }

        Map<String, Teardown> plain = new LinkedHashMap<>();
        plain.put("naive", RealBench::naive);
        plain.put("kube-teardown default", (c, ns) -> kubeTeardown(c, ns, null));
        plain.put("kube-teardown p=32", (c, ns) -> kubeTeardown(c, ns, 32));
        plain.put(DELETECOLLECTION, RealBench::deleteCollection);
        Map<String, Teardown> processes = new LinkedHashMap<>();
        if (cli) {
            processes.put(
                    CLI_JAVA_JAR, (c, ns) -> process(ns, cliCommand(List.of("java", "-jar", CLI_JAR.toString()), ns)));
            processes.put(CLI_LAUNCHER, (c, ns) -> process(ns, cliCommand(List.of(LAUNCHER.toString()), ns)));
        }
        processes.put(NAIVE_CURL, (c, ns) -> process(ns, curlCommand(server, NAIVE_LOOP, ns)));
        processes.put(DELETECOLLECTION_CURL, (c, ns) -> process(ns, curlCommand(server, DELETE_COLLECTION, ns)));
        Map<String, Teardown> finalized = new LinkedHashMap<>();
        finalized.put("naive", RealBench::naive);
        finalized.put("kube-teardown default", (c, ns) -> kubeTeardown(c, ns, null));

        // warm-up: JIT, connection pools, the apiserver's caches; not measured
        out.println("real: warm-up (50 backups per variant, not measured)");
        for (Map.Entry<String, Teardown> e : plain.entrySet()) {
            once(server, client, 50, false, e.getValue());
        }

        List<Integer> sizes = options.backups.stream().sorted().toList();
        for (int n : sizes) {
            for (Map.Entry<String, Teardown> e : plain.entrySet()) {
                measure(server, client, NO_FINALIZER, n, false, e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Teardown> e : processes.entrySet()) {
                measure(server, client, NO_FINALIZER_PROCESS, n, false, e.getKey(), e.getValue());
            }
            if (cli) {
                warmRuns(server, client, n);
            }
            for (Map.Entry<String, Teardown> e : finalized.entrySet()) {
                measure(server, client, "finalizer, released after 200 ms", n, true, e.getKey(), e.getValue());
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        String base = audit ? "real-audit" : "real";
        Path md = options.out.resolve(base + ".md");
        Path json = options.out.resolve(base + ".json");
        String markdown = markdown(server, started, took);
        Files.writeString(md, markdown, StandardCharsets.UTF_8);
        Files.writeString(json, json(server, started, took), StandardCharsets.UTF_8);
        out.println();
        out.print(markdown);
        out.println("written: " + md + ", " + json);
        boolean clean = rows.stream().allMatch(Row::clean);
        if (!clean) {
            out.println("WARNING: some runs did not end clean; see the table");
        }
        out.println(lastLine());
        return clean ? 0 : 1;
    }

    private void measure(
            RealApiServer server,
            ApiClient client,
            String workload,
            int n,
            boolean finalizer,
            String variant,
            Teardown teardown)
            throws Exception {
        List<Double> seconds = new ArrayList<>();
        List<Double> clientCpu = new ArrayList<>();
        List<Double> serverCpu = new ArrayList<>();
        boolean clean = true;
        String problem = "";
        for (int i = 0; i < options.runs; i++) {
            Result r = once(server, client, n, finalizer, teardown);
            seconds.add(r.seconds);
            clientCpu.add(r.clientCpu);
            serverCpu.add(r.serverCpu);
            if (!r.problem.isEmpty()) {
                clean = false;
                problem = r.problem;
            }
            out.printf(
                    Locale.ROOT,
                    "real: N=%d %-33s %-30s run %d: %.3f s, client CPU %.3f s, server CPU %.3f s%s%n",
                    n,
                    workload,
                    variant,
                    i + 1,
                    r.seconds,
                    r.clientCpu,
                    r.serverCpu,
                    r.problem.isEmpty() ? "" : "  NOT CLEAN: " + r.problem);
        }
        rows.add(new Row(workload, n, variant, seconds, clientCpu, serverCpu, clean, problem));
    }

    private record Result(double seconds, double clientCpu, double serverCpu, String problem) {}

    /** Fresh namespace, N backups created in parallel, (controller), the timed teardown, checks, namespace gone. */
    private Result once(RealApiServer server, ApiClient client, int n, boolean finalizer, Teardown teardown)
            throws Exception {
        try (ItNamespace ns = seeded(server, n, finalizer)) {
            RealServerLonghornController controller =
                    finalizer ? RealServerLonghornController.start(ns, RELEASE_DELAY, RELEASE_DELAY) : null;
            try {
                double server0 = serverCpu();
                CpuByRole cpu = CpuByRole.start();
                long start = System.nanoTime();
                Done done = teardown.run(client, ns.name());
                double seconds = (System.nanoTime() - start) / 1e9;
                double clientCpu =
                        Double.isNaN(done.processCpuSeconds()) ? cpu.stop().clientSeconds() : done.processCpuSeconds();
                cpu.close();
                double serverCpu = serverCpu() - server0;
                String problem = done.problem();
                int left = count(client, ns.name());
                if (left != 0) {
                    problem = (problem.isEmpty() ? "" : problem + "; ") + left + " backups left";
                }
                if (controller != null && !controller.errors().isEmpty()) {
                    problem = (problem.isEmpty() ? "" : problem + "; ") + "controller errors: "
                            + controller.errors().get(0);
                }
                return new Result(seconds, clientCpu, serverCpu, problem);
            } finally {
                if (controller != null) {
                    controller.close();
                }
            }
        }
    }

    private static ItNamespace seeded(RealApiServer server, int n, boolean finalizer) throws Exception {
        ItNamespace ns = ItNamespace.create(server, "bench");
        List<ItNamespace.BackupSpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ItNamespace.BackupSpec spec = ItNamespace.backup(String.format(Locale.ROOT, "backup-%05d", i));
            specs.add(finalizer ? spec.finalizer(GROUP) : spec);
        }
        ns.createAll(specs, CREATE_THREADS);
        return ns;
    }

    /**
     * The CLI's {@code longhorn --yes} {@value #WARM_RUNS} times in ONE new JVM ({@link WarmRuns}), on as many
     * namespaces seeded beforehand: run 1 is a fresh JVM's first run (its start excluded), runs 2.. are warm.
     */
    private void warmRuns(RealApiServer server, ApiClient client, int n) throws Exception {
        List<ItNamespace> namespaces = new ArrayList<>();
        try {
            for (int i = 0; i < WARM_RUNS; i++) {
                namespaces.add(seeded(server, n, false));
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp",
                    benchClasses() + File.pathSeparator + CLI_JAR,
                    WarmRuns.class.getName(),
                    kubeconfig.toString()));
            namespaces.forEach(ns -> command.add(ns.name()));
            Path log = options.out.resolve("real-warm-runs.log");
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            double server0 = serverCpu();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.startsWith("run "))
                    .toList();
            p.waitFor();
            double serverTotal = serverCpu() - server0;
            List<Double> seconds = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            String problem =
                    lines.size() == WARM_RUNS ? "" : "only " + lines.size() + " runs reported (see " + log + ")";
            for (String line : lines) {
                String[] f = line.split(" ");
                seconds.add(Double.parseDouble(f[2]));
                cpu.add(Double.parseDouble(f[3]));
                if (!f[4].equals("0")) {
                    problem = "exit code " + f[4];
                }
            }
            for (ItNamespace ns : namespaces) {
                int left = count(client, ns.name());
                if (left != 0) {
                    problem = (problem.isEmpty() ? "" : problem + "; ") + left + " backups left in " + ns.name();
                }
            }
            // the servers' CPU is only known for the whole JVM: spread evenly over its runs
            List<Double> serverShare = new ArrayList<>();
            seconds.forEach(x -> serverShare.add(serverTotal / Math.max(1, seconds.size())));
            boolean clean = problem.isEmpty();
            if (!seconds.isEmpty()) {
                rows.add(new Row(
                        NO_FINALIZER_ONE_JVM,
                        n,
                        WARM_FIRST,
                        seconds.subList(0, 1),
                        cpu.subList(0, 1),
                        serverShare.subList(0, 1),
                        clean,
                        problem));
                rows.add(new Row(
                        NO_FINALIZER_ONE_JVM,
                        n,
                        WARM_LATER,
                        seconds.subList(1, seconds.size()),
                        cpu.subList(1, cpu.size()),
                        serverShare.subList(1, serverShare.size()),
                        clean,
                        problem));
            }
            out.printf(
                    Locale.ROOT,
                    "real: N=%d CLI in one JVM, runs (s): %s%s%n",
                    n,
                    seconds,
                    clean ? "" : "  NOT CLEAN: " + problem);
        } finally {
            for (ItNamespace ns : namespaces) {
                ns.close();
            }
        }
    }

    /** Where the bench's own classes are (target/bench-classes): WarmRuns runs from there. */
    private static String benchClasses() throws Exception {
        return Path.of(WarmRuns.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
    }

    private double serverCpu() {
        return serverPids.stream().mapToDouble(ProcessRun::cpuOf).sum();
    }

    private static long pid(RealApiServer server, String name) throws Exception {
        return Long.parseLong(
                Files.readString(server.workDir().resolve(name + ".pid")).strip());
    }

    // ------------------------------------------------------------------------------------------------------------
    // the variants

    private static Done naive(ApiClient client, String ns) throws InterruptedException {
        NaiveTeardown.Result r = new NaiveTeardown(client, ns, VERSION, true, line -> {}).run();
        return Done.inProcess(r.succeeded() ? "" : r.failureMessage());
    }

    private static Done kubeTeardown(ApiClient client, String ns, Integer parallelism) {
        BackupCleanup.Builder builder = BackupCleanup.builder(client).namespace(ns);
        if (parallelism != null) {
            builder.parallelism(parallelism);
        }
        CleanupReport report = builder.build().execute();
        return Done.inProcess(report.isClean() ? "" : report.summary());
    }

    /** The server's bulk path: one deletecollection request, then a list every 20 ms until it is empty. */
    private static Done deleteCollection(ApiClient client, String ns) throws Exception {
        new CustomObjectsApi(client)
                .deleteCollectionNamespacedCustomObject(GROUP, VERSION, ns, BACKUPS)
                .execute();
        long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
        while (count(client, ns) != 0) {
            if (System.nanoTime() > deadline) {
                return Done.inProcess("not empty after " + GONE_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        return Done.inProcess("");
    }

    private List<String> cliCommand(List<String> launcher, String ns) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("longhorn", "-n", ns, "--yes", "--kubeconfig", kubeconfig.toString()));
        return command;
    }

    private static List<String> curlCommand(RealApiServer server, String script, String ns) {
        return List.of(
                "bash",
                "-c",
                script,
                "bash",
                server.apiUrl() + "/apis/" + GROUP + "/" + VERSION + "/namespaces/" + ns + "/" + BACKUPS,
                server.adminToken(),
                server.caFile().toString());
    }

    /** A teardown as a new process: its exit code and CPU (with children) come back in the result. */
    private Done process(String ns, List<String> command) throws Exception {
        ProcessRun run = ProcessRun.run(command, options.out.resolve("real-process.log"), GONE_TIMEOUT);
        String problem = run.exitCode() == 0 ? "" : "exit code " + run.exitCode() + ": " + run.errorTail();
        return new Done(problem, run.cpuSeconds());
    }

    /**
     * The Python suite's loop without Python or kubectl, as one small process: list, then ONE curl process deleting
     * every listed backup one request at a time over one kept-alive connection, then a list every second until
     * empty. Arguments: collection URL, token, CA file.
     */
    static final String NAIVE_LOOP = String.join(
            "\n",
            "set -euo pipefail",
            "url=$1; auth=\"Authorization: Bearer $2\"; ca=$3",
            "cfg=$(mktemp)",
            "curl -sf --cacert \"$ca\" -H \"$auth\" \"$url\" | jq -r '.items[].metadata.name' |",
            "  while read -r name; do printf 'url = \"%s/%s\"\\noutput = \"/dev/null\"\\n' \"$url\" \"$name\"; done > \"$cfg\"",
            "if [ -s \"$cfg\" ]; then curl -s --cacert \"$ca\" -H \"$auth\" -X DELETE -K \"$cfg\"; fi",
            "rm -f \"$cfg\"",
            "until [ \"$(curl -sf --cacert \"$ca\" -H \"$auth\" \"$url\" | jq '.items | length')\" = 0 ]; do sleep 1; done");

    /** ONE deletecollection request with curl, then a list every 20 ms until empty. Same arguments. */
    static final String DELETE_COLLECTION = String.join(
            "\n",
            "set -euo pipefail",
            "url=$1; auth=\"Authorization: Bearer $2\"; ca=$3",
            "curl -sf --cacert \"$ca\" -H \"$auth\" -X DELETE -o /dev/null \"$url\"",
            "until [ \"$(curl -sf --cacert \"$ca\" -H \"$auth\" \"$url\" | jq '.items | length')\" = 0 ]; do sleep 0.02; done");

    @SuppressWarnings("unchecked")
    private static int count(ApiClient client, String ns) throws Exception {
        Map<String, Object> list = (Map<String, Object>) new CustomObjectsApi(client)
                .listNamespacedCustomObject(GROUP, VERSION, ns, BACKUPS)
                .execute();
        return ((List<Object>) list.getOrDefault("items", List.of())).size();
    }

    // ------------------------------------------------------------------------------------------------------------
    // reports

    private Row find(String workload, int n, String variant) {
        return rows.stream()
                .filter(r -> r.workload.equals(workload) && r.n == n && r.variant.equals(variant))
                .findFirst()
                .orElse(null);
    }

    /**
     * Throughput of the row relative to deletecollection at the same N, run the same way (in this JVM, or as a new
     * process with curl); NaN when there is none (finalizer workload, runs in one JVM).
     */
    private double ratio(Row r) {
        Row dc = switch (r.workload) {
            case NO_FINALIZER -> find(NO_FINALIZER, r.n, DELETECOLLECTION);
            case NO_FINALIZER_PROCESS -> find(NO_FINALIZER_PROCESS, r.n, DELETECOLLECTION_CURL);
            default -> null;
        };
        return dc == null ? Double.NaN : dc.median() / r.median();
    }

    private String markdown(RealApiServer server, Instant started, Duration took) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Real API server\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "kube-apiserver 1.20.2 + etcd + kube-controller-manager on loopback (%s),"
                        + " started %s, API server start-up %.1f s, whole run %.0f s; %s, %d CPUs, Java %s.%n",
                server.apiUrl(),
                started,
                server.startupMillis() / 1e3,
                took.toMillis() / 1e3,
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        sb.append("No injected latency. Each run: a fresh namespace, N backups created in parallel (")
                .append(CREATE_THREADS)
                .append(" threads, not timed), then one teardown timed until the backup list is empty. ")
                .append("deletecollection = ONE DeleteCollection request, then a list every 20 ms until empty: the")
                .append(" server's own per-object cost. Finalizer workload: every backup carries `longhorn.io`,")
                .append(" released ~200 ms after its deletion by RealServerLonghornController (polls every 50 ms).")
                .append(" Ratio = throughput / deletecollection's throughput at the same N, run the same way.\n\n")
                .append("Audit log: ")
                .append(audit ? "ON (Metadata level for every request, to a file)" : "off")
                .append(". Rows \"no finalizer\" and \"finalizer\" run in this benchmark JVM, warmed up (50 backups")
                .append(" per variant first). Rows \"new process each run\" start a new process per run, JVM start")
                .append(" included, as a user runs it: the CLI jar with `java -jar`, the CLI through the launcher")
                .append(" `target/kube-teardown` (C1 only, serial GC, class-data sharing archive from `mvn package`),")
                .append(" the naive loop without Python or kubectl (one list with curl, then ONE curl process sending")
                .append(" the DELETEs one at a time over one kept-alive connection, then a list every second until")
                .append(" empty), and one deletecollection request with curl. Rows \"CLI runs in one JVM\": the CLI's")
                .append(" `longhorn --yes` ")
                .append(WARM_RUNS)
                .append(" times in one new JVM on as many namespaces seeded beforehand; run 1 pays class loading,")
                .append(" JIT and TLS set-up (the JVM's start excluded), runs 2.. are warm. Client CPU: the")
                .append(" teardown's threads in this JVM (CpuByRole), or the whole client process with its children")
                .append(" (bash `times`); server CPU: kube-apiserver + etcd (/proc), per object, medians.\n\n");
        sb.append("| workload | N | variant | runs (s) | median (s) | objects/s | ratio to deletecollection"
                + " | client CPU ms/object | server CPU ms/object | clean |\n");
        sb.append("|---|---:|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            double ratio = ratio(r);
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %s | %s | %.3f | %,.0f | %s | %.3f | %.3f | %s |%n",
                    r.workload,
                    r.n,
                    r.variant,
                    String.join(
                            ", ",
                            r.seconds.stream()
                                    .map(s -> String.format(Locale.ROOT, "%.3f", s))
                                    .toList()),
                    r.median(),
                    r.objectsPerSecond(),
                    Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio),
                    r.clientCpuMsPerObject(),
                    r.serverCpuMsPerObject(),
                    r.clean ? "yes" : "NO: " + r.problem.replace('|', '/')));
        }
        sb.append('\n');
        for (int n : options.backups.stream().sorted().toList()) {
            for (String v : List.of("kube-teardown default", "kube-teardown p=32")) {
                Row r = find("no finalizer", n, v);
                if (r != null && n >= 1000) {
                    double ratio = ratio(r);
                    sb.append(String.format(
                            Locale.ROOT,
                            "- target kube-teardown >= 0.8x deletecollection at N=%,d: %s" + " %.2fx - %s%n",
                            n,
                            v,
                            ratio,
                            ratio >= 0.8 ? "met" : "MISSED"));
                }
            }
            for (String v : List.of(CLI_LAUNCHER, CLI_JAVA_JAR)) {
                Row cli = find(NO_FINALIZER_PROCESS, n, v);
                Row naive = find(NO_FINALIZER_PROCESS, n, NAIVE_CURL);
                if (cli != null && n <= 100) {
                    sb.append(String.format(
                            Locale.ROOT,
                            "- target CLI <= 1.0 s at N=%,d, JVM start included: %s %.2f s - %s%n",
                            n,
                            v,
                            cli.median(),
                            cli.median() <= 1.0 ? "met" : "MISSED"));
                }
                if (cli != null && naive != null && n >= 1000) {
                    double x = naive.median() / cli.median();
                    sb.append(String.format(
                            Locale.ROOT,
                            "- target CLI >= 1.3x the naive loop's throughput at N=%,d, both new processes: %s"
                                    + " %.2fx - %s%n",
                            n,
                            v,
                            x,
                            x >= 1.3 ? "met" : "MISSED"));
                }
            }
        }
        return sb.toString();
    }

    private String json(RealApiServer server, Instant started, Duration took) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append(String.format(
                Locale.ROOT,
                "  \"server\": \"kube-apiserver 1.20.2\",%n  \"apiUrl\": \"%s\",%n"
                        + "  \"started\": \"%s\",%n  \"serverStartupSeconds\": %.3f,%n  \"totalSeconds\": %.3f,%n"
                        + "  \"cpus\": %d,%n  \"runsPerVariant\": %d,%n  \"auditLog\": %s,%n  \"rows\": [%n",
                server.apiUrl(),
                started,
                server.startupMillis() / 1e3,
                took.toMillis() / 1e3,
                Runtime.getRuntime().availableProcessors(),
                options.runs,
                audit));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double ratio = ratio(r);
            sb.append(String.format(
                    Locale.ROOT,
                    "    {\"workload\": \"%s\", \"backups\": %d, \"variant\": \"%s\","
                            + " \"seconds\": %s, \"medianSeconds\": %.4f, \"objectsPerSecond\": %.1f,"
                            + " \"ratioToDeleteCollection\": %s, \"clientCpuMsPerObject\": %s,"
                            + " \"serverCpuMsPerObject\": %s, \"clean\": %s, \"problem\": \"%s\"}%s%n",
                    r.workload,
                    r.n,
                    r.variant,
                    r.seconds.stream()
                            .map(s -> String.format(Locale.ROOT, "%.4f", s))
                            .toList(),
                    r.median(),
                    r.objectsPerSecond(),
                    Double.isNaN(ratio) ? "null" : String.format(Locale.ROOT, "%.3f", ratio),
                    jsonNumber(r.clientCpuMsPerObject()),
                    jsonNumber(r.serverCpuMsPerObject()),
                    r.clean,
                    r.problem.replace("\\", "\\\\").replace("\"", "\\\""),
                    i + 1 < rows.size() ? "," : ""));
        }
        sb.append("  ]\n}\n");
        return sb.toString();
    }

    private static String jsonNumber(double value) {
        return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.4f", value);
    }

    private String lastLine() {
        int n = options.backups.stream().max(Integer::compare).orElse(0);
        Row dc = find("no finalizer", n, "deletecollection (server bulk)");
        Row def = find("no finalizer", n, "kube-teardown default");
        Row p32 = find("no finalizer", n, "kube-teardown p=32");
        Row naive = find("no finalizer", n, "naive");
        if (dc == null || def == null || p32 == null || naive == null) {
            return "real: incomplete";
        }
        return String.format(
                Locale.ROOT,
                "real: N=%,d: kube-teardown default %.2f s (%.2fx deletecollection), p=32"
                        + " %.2f s (%.2fx), deletecollection %.2f s, naive %.2f s",
                n,
                def.median(),
                ratio(def),
                p32.median(),
                ratio(p32),
                dc.median(),
                naive.median());
    }
}
