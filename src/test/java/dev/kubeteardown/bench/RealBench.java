package dev.kubeteardown.bench;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.cli.NaiveTeardown;
import dev.kubeteardown.it.ItNamespace;
import dev.kubeteardown.it.RealApiServer;
import dev.kubeteardown.it.RealServerLonghornController;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
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
 * kube-teardown. Writes {@code real.md} and {@code real.json}.
 */
final class RealBench {

    static final String GROUP = "longhorn.io";
    static final String VERSION = "v1beta2";
    static final String BACKUPS = "backups";
    static final Duration RELEASE_DELAY = Duration.ofMillis(200);
    static final int CREATE_THREADS = 32;
    static final Duration GONE_TIMEOUT = Duration.ofMinutes(3);

    /** One measured configuration. */
    record Row(String workload, int n, String variant, List<Double> seconds, boolean clean, String problem) {
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
    }

    private interface Teardown {
        /** Runs the teardown of namespace {@code ns}; returns an empty string when clean, else what went wrong. */
        String run(ApiClient client, String ns) throws Exception;
    }

    private final BenchOptions options;
    private final PrintStream out;
    private final List<Row> rows = new ArrayList<>();

    RealBench(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    int run() throws Exception {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        out.println("real: starting etcd + kube-apiserver 1.20.2 + kube-controller-manager (scripts/test-cluster)");
        RealApiServer server = RealApiServer.get();
        out.printf(Locale.ROOT, "real: API server up at %s in %.1f s%n", server.apiUrl(), server.startupMillis() / 1e3);
        ApiClient client = server.adminClient();

        Map<String, Teardown> plain = new LinkedHashMap<>();
        plain.put("naive", RealBench::naive);
        plain.put("kube-teardown default", (c, ns) -> kubeTeardown(c, ns, null));
        plain.put("kube-teardown p=32", (c, ns) -> kubeTeardown(c, ns, 32));
        plain.put("deletecollection (server bulk)", RealBench::deleteCollection);
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
                measure(server, client, "no finalizer", n, false, e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Teardown> e : finalized.entrySet()) {
                measure(server, client, "finalizer, released after 200 ms", n, true, e.getKey(), e.getValue());
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        Files.createDirectories(options.out);
        Path md = options.out.resolve("real.md");
        Path json = options.out.resolve("real.json");
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
        boolean clean = true;
        String problem = "";
        for (int i = 0; i < options.runs; i++) {
            Result r = once(server, client, n, finalizer, teardown);
            seconds.add(r.seconds);
            if (!r.problem.isEmpty()) {
                clean = false;
                problem = r.problem;
            }
            out.printf(
                    Locale.ROOT,
                    "real: N=%d %-33s %-30s run %d: %.3f s%s%n",
                    n,
                    workload,
                    variant,
                    i + 1,
                    r.seconds,
                    r.problem.isEmpty() ? "" : "  NOT CLEAN: " + r.problem);
        }
        rows.add(new Row(workload, n, variant, seconds, clean, problem));
    }

    private record Result(double seconds, String problem) {}

    /** Fresh namespace, N backups created in parallel, (controller), the timed teardown, checks, namespace gone. */
    private Result once(RealApiServer server, ApiClient client, int n, boolean finalizer, Teardown teardown)
            throws Exception {
        try (ItNamespace ns = ItNamespace.create(server, "bench")) {
            List<ItNamespace.BackupSpec> specs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ItNamespace.BackupSpec spec = ItNamespace.backup(String.format(Locale.ROOT, "backup-%05d", i));
                specs.add(finalizer ? spec.finalizer(GROUP) : spec);
            }
            ns.createAll(specs, CREATE_THREADS);
            RealServerLonghornController controller =
                    finalizer ? RealServerLonghornController.start(ns, RELEASE_DELAY, RELEASE_DELAY) : null;
            try {
                long start = System.nanoTime();
                String problem = teardown.run(client, ns.name());
                double seconds = (System.nanoTime() - start) / 1e9;
                int left = count(client, ns.name());
                if (left != 0) {
                    problem = (problem.isEmpty() ? "" : problem + "; ") + left + " backups left";
                }
                if (controller != null && !controller.errors().isEmpty()) {
                    problem = (problem.isEmpty() ? "" : problem + "; ") + "controller errors: "
                            + controller.errors().get(0);
                }
                return new Result(seconds, problem);
            } finally {
                if (controller != null) {
                    controller.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // the variants

    private static String naive(ApiClient client, String ns) throws InterruptedException {
        NaiveTeardown.Result r = new NaiveTeardown(client, ns, VERSION, true, line -> {}).run();
        return r.succeeded() ? "" : r.failureMessage();
    }

    private static String kubeTeardown(ApiClient client, String ns, Integer parallelism) {
        BackupCleanup.Builder builder = BackupCleanup.builder(client).namespace(ns);
        if (parallelism != null) {
            builder.parallelism(parallelism);
        }
        CleanupReport report = builder.build().execute();
        return report.isClean() ? "" : report.summary();
    }

    /** The server's bulk path: one deletecollection request, then a list every 20 ms until it is empty. */
    private static String deleteCollection(ApiClient client, String ns) throws Exception {
        new CustomObjectsApi(client)
                .deleteCollectionNamespacedCustomObject(GROUP, VERSION, ns, BACKUPS)
                .execute();
        long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
        while (count(client, ns) != 0) {
            if (System.nanoTime() > deadline) {
                return "not empty after " + GONE_TIMEOUT.toSeconds() + " s";
            }
            Thread.sleep(20);
        }
        return "";
    }

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

    /** Throughput of the row relative to deletecollection at the same N (no-finalizer workload); NaN if none. */
    private double ratio(Row r) {
        Row dc = find("no finalizer", r.n, "deletecollection (server bulk)");
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
                .append(" Ratio = throughput / deletecollection's throughput at the same N.\n\n");
        sb.append(
                "| workload | N | variant | runs (s) | median (s) | objects/s | ratio to deletecollection | clean |\n");
        sb.append("|---|---:|---|---|---:|---:|---:|---|\n");
        for (Row r : rows) {
            double ratio = ratio(r);
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %s | %s | %.3f | %,.0f | %s | %s |%n",
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
                    Double.isNaN(ratio) || !r.workload.equals("no finalizer")
                            ? "-"
                            : String.format(Locale.ROOT, "%.2fx", ratio),
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
        }
        return sb.toString();
    }

    private String json(RealApiServer server, Instant started, Duration took) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append(String.format(
                Locale.ROOT,
                "  \"server\": \"kube-apiserver 1.20.2\",%n  \"apiUrl\": \"%s\",%n"
                        + "  \"started\": \"%s\",%n  \"serverStartupSeconds\": %.3f,%n  \"totalSeconds\": %.3f,%n"
                        + "  \"cpus\": %d,%n  \"runsPerVariant\": %d,%n  \"rows\": [%n",
                server.apiUrl(),
                started,
                server.startupMillis() / 1e3,
                took.toMillis() / 1e3,
                Runtime.getRuntime().availableProcessors(),
                options.runs));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double ratio = ratio(r);
            sb.append(String.format(
                    Locale.ROOT,
                    "    {\"workload\": \"%s\", \"backups\": %d, \"variant\": \"%s\","
                            + " \"seconds\": %s, \"medianSeconds\": %.4f, \"objectsPerSecond\": %.1f,"
                            + " \"ratioToDeleteCollection\": %s, \"clean\": %s, \"problem\": \"%s\"}%s%n",
                    r.workload,
                    r.n,
                    r.variant,
                    r.seconds.stream()
                            .map(s -> String.format(Locale.ROOT, "%.4f", s))
                            .toList(),
                    r.median(),
                    r.objectsPerSecond(),
                    Double.isNaN(ratio) || !r.workload.equals("no finalizer")
                            ? "null"
                            : String.format(Locale.ROOT, "%.3f", ratio),
                    r.clean,
                    r.problem.replace("\\", "\\\\").replace("\"", "\\\""),
                    i + 1 < rows.size() ? "," : ""));
        }
        sb.append("  ]\n}\n");
        return sb.toString();
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
