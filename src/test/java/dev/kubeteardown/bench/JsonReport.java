package dev.kubeteardown.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kubeteardown.sim.Verb;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results as JSON: every run of every variant, the summaries, the limits and the target verdicts. */
final class JsonReport {

    private final BenchEnvironment environment;
    private final List<WorkloadResult> results;
    private final List<Targets.Check> checks;

    JsonReport(BenchEnvironment environment, List<WorkloadResult> results, List<Targets.Check> checks) {
        this.environment = environment;
        this.results = results;
        this.checks = checks;
    }

    String render() {
        JsonObject root = new JsonObject();
        root.add("environment", environment.json());
        JsonArray workloads = new JsonArray();
        for (WorkloadResult r : results) {
            workloads.add(workload(r));
        }
        root.add("workloads", workloads);
        JsonArray targets = new JsonArray();
        for (Targets.Check c : checks) {
            JsonObject t = new JsonObject();
            t.addProperty("target", c.target());
            t.addProperty("met", c.met());
            t.addProperty("detail", c.detail());
            targets.add(t);
        }
        root.add("targets", targets);
        return new GsonBuilder()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(root) + "\n";
    }

    private static JsonObject workload(WorkloadResult r) {
        Workload w = r.workload();
        JsonObject o = new JsonObject();
        o.addProperty("id", w.id());
        o.addProperty("backups", w.backups());
        o.addProperty("backupVolumes", w.volumes());
        o.addProperty("backupsPerVolume", w.backupsPerVolume());
        o.addProperty("failedBackups", w.failedBackups());
        o.addProperty("objects", w.objects());
        o.addProperty("latencyMillis", w.latency().toMillis());
        o.add("naive", variant(r, r.naive()));
        o.add("default", variant(r, r.defaults()));
        o.addProperty("best", r.best().name());
        JsonArray sweep = new JsonArray();
        r.sweep().forEach(v -> sweep.add(variant(r, v)));
        o.add("sweep", sweep);
        return o;
    }

    private static JsonObject variant(WorkloadResult r, VariantResult v) {
        JsonObject o = new JsonObject();
        o.addProperty("name", v.name());
        o.addProperty("parallelism", v.parallelism());
        o.addProperty("measured", v.measured());
        o.addProperty("estimateSeconds", v.estimate().toNanos() / 1e9);
        o.addProperty("limitSeconds", r.limitSeconds(v));
        if (!v.note().isEmpty()) {
            o.addProperty("note", v.note());
        }
        if (!v.measured()) {
            o.addProperty("speedupOverNaive", 1.0);
            return o;
        }
        o.addProperty("medianSeconds", v.medianSeconds());
        o.addProperty("minSeconds", v.minSeconds());
        o.addProperty("maxSeconds", v.maxSeconds());
        o.addProperty("ratioToLimit", r.ratioToLimit(v));
        o.addProperty("speedupOverNaive", r.speedup(v));
        o.addProperty("speedupIsOverNaiveEstimate", !r.naive().measured());
        o.addProperty("objectsPerSecond", v.objectsPerSecond(r.workload()));
        o.addProperty("peakHeapBytes", v.peakHeapBytes());
        o.addProperty("peakAfterGcBytes", v.peakAfterGcBytes());
        o.addProperty("retainedBytes", v.retainedBytes());
        o.addProperty("cpuSeconds", v.cpuSeconds());
        o.addProperty("gcSeconds", v.gcSeconds());
        o.addProperty("otherProcessesCpuSeconds", v.otherCpuSeconds());
        o.addProperty("clientThreadsCpuSeconds", v.clientCpuSeconds());
        o.addProperty("serverThreadsCpuSeconds", v.serverCpuSeconds());
        o.addProperty("clean", v.allClean());
        JsonObject requests = new JsonObject();
        v.medianRun()
                .requests()
                .forEach((verb, n) -> requests.addProperty(verb.name().toLowerCase(Locale.ROOT), n));
        o.add("requestsOfMedianRun", requests);
        JsonArray runs = new JsonArray();
        for (RunMeasurement m : v.runs()) {
            JsonObject run = new JsonObject();
            run.addProperty("wallSeconds", m.wallSeconds());
            run.addProperty("cpuSeconds", m.cpuNanos() / 1e9);
            run.addProperty("otherProcessesCpuSeconds", m.otherCpuNanos() / 1e9);
            run.addProperty("clientThreadsCpuSeconds", m.cpuSplit().clientSeconds());
            run.addProperty("serverThreadsCpuSeconds", m.cpuSplit().serverSeconds());
            run.addProperty("peakHeapBytes", m.heap().peakUsed());
            run.addProperty("peakAfterGcBytes", m.heap().peakAfterGc());
            run.addProperty("gcs", m.heap().gcs());
            run.addProperty("gcMillis", m.heap().gcMillis());
            run.addProperty("retainedBytes", m.retainedBytes());
            run.addProperty("clean", m.clean());
            if (!m.problem().isEmpty()) {
                run.addProperty("problem", m.problem());
            }
            JsonObject req = new JsonObject();
            for (Map.Entry<Verb, Long> e : m.requests().entrySet()) {
                req.addProperty(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue());
            }
            run.add("requests", req);
            runs.add(run);
        }
        o.add("runs", runs);
        return o;
    }
}
