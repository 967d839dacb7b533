package dev.kubeteardown.bench;

import dev.kubeteardown.sim.Verb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The results as Markdown: summary, details per variant, the parallelism sweep, the targets. */
final class MarkdownReport {

    private final BenchEnvironment environment;
    private final List<WorkloadResult> results;
    private final List<Targets.Check> checks;

    MarkdownReport(BenchEnvironment environment, List<WorkloadResult> results, List<Targets.Check> checks) {
        this.environment = environment;
        this.results = results;
        this.checks = checks;
    }

    String render() {
        StringBuilder md = new StringBuilder();
        md.append("# kube-teardown benchmark: teardown of a Longhorn backupstore\n\n");
        md.append(environment.markdown()).append('\n');
        md.append("## Summary (median wall time of the whole teardown, seconds)\n\n");
        md.append(summary()).append('\n');
        md.append(
                "`~` marks an estimate (the variant was not run, see the budget above); `x naive` is naive's median"
                        + " over the variant's median; `/ limit` is the variant's median over the limit at its parallelism.\n\n");
        md.append("## Details\n\n").append(details()).append('\n');
        md.append("Requests are those of the run with the median wall time, as the simulator counted them by verb."
                + " Peak heap: highest heap used during the run minus the heap after a full GC right before it"
                + " (client, simulated API server and controller share the process, so the server's allocations are"
                + " included, garbage too); post-GC: the highest heap right after a GC during the run (what was live"
                + " then), `-` when no GC happened; CPU: process CPU time (client, server, JIT and GC);"
                + " client / server CPU: CPU time of the teardown's threads (workers, OkHttp, caller) and of the simulator's (Vert.x event loops,"
                + " controller); GC: time in garbage collection during the run (the simulator's objects share the"
                + " heap, so at N = 10,000 its GC work is the client's too); others' CPU: CPU time"
                + " other processes on the machine took during the run (from /proc/stat): the benchmark was not alone"
                + " when it is well above zero.\n\n");
        md.append("## Parallelism sweep (median seconds)\n\n").append(sweep()).append('\n');
        if (!checks.isEmpty()) {
            md.append("## Targets\n\n").append(targets()).append('\n');
        }
        return md.toString();
    }

    String summary() {
        Table t = new Table(
                "workload",
                "naive",
                "default (adaptive)",
                "best",
                "limit (best p)",
                "best / limit",
                "best x naive",
                "default x naive");
        for (WorkloadResult r : results) {
            VariantResult best = r.best();
            t.row(
                    r.workload().label(),
                    time(r.naive()),
                    time(r.defaults()),
                    time(best) + " (p=" + best.parallelism() + ")",
                    Format.seconds(r.limitSeconds(best)),
                    Format.ratioPlain(r.ratioToLimit(best)),
                    Format.ratio(r.speedup(best)),
                    Format.ratio(r.speedup(r.defaults())));
        }
        return t.render();
    }

    private String details() {
        Table t = new Table(
                "workload",
                "variant",
                "runs",
                "median s",
                "min-max s",
                "x naive",
                "limit s",
                "/ limit",
                "list",
                "get",
                "delete",
                "patch",
                "watch",
                "objects/s",
                "peak heap MB",
                "post-GC MB",
                "CPU s",
                "client / server CPU s",
                "GC s",
                "others' CPU s");
        for (WorkloadResult r : results) {
            List<VariantResult> variants = new ArrayList<>(List.of(r.naive(), r.defaults()));
            VariantResult best = r.best();
            variants.add(best.renamed("kube-teardown best (p=" + best.parallelism() + ")", best.note()));
            for (VariantResult v : variants) {
                if (!v.measured()) {
                    t.row(
                            r.workload().label(),
                            v.name(),
                            "0",
                            "~" + Format.seconds(v.medianSeconds()) + " (estimate)",
                            "-",
                            "-",
                            Format.seconds(r.limitSeconds(v)),
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-");
                    continue;
                }
                t.row(
                        r.workload().label(),
                        v.name() + (v.allClean() ? "" : " (NOT CLEAN: " + v.problems() + ")"),
                        Integer.toString(v.runs().size()),
                        Format.seconds(v.medianSeconds()),
                        Format.seconds(v.minSeconds()) + "-" + Format.seconds(v.maxSeconds()),
                        v.name().equals("naive") ? "1.0x" : Format.ratio(r.speedup(v)),
                        Format.seconds(r.limitSeconds(v)),
                        Format.ratioPlain(r.ratioToLimit(v)),
                        Long.toString(v.requests(Verb.LIST)),
                        Long.toString(v.requests(Verb.GET)),
                        Long.toString(v.requests(Verb.DELETE)),
                        Long.toString(v.requests(Verb.PATCH)),
                        Long.toString(v.requests(Verb.WATCH)),
                        Format.count(v.objectsPerSecond(r.workload())),
                        Format.megabytes(v.peakHeapBytes()),
                        Format.megabytes(v.peakAfterGcBytes()),
                        Format.seconds(v.cpuSeconds()),
                        Format.seconds(v.clientCpuSeconds()) + " / " + Format.seconds(v.serverCpuSeconds()),
                        Format.seconds(v.gcSeconds()),
                        Format.seconds(v.otherCpuSeconds()));
            }
        }
        return t.render();
    }

    private String sweep() {
        if (results.isEmpty()) {
            return "";
        }
        List<String> header = new ArrayList<>(List.of("workload"));
        results.get(0).sweep().forEach(v -> header.add("p=" + v.parallelism()));
        header.add("limit at the best p");
        Table t = new Table(header.toArray(String[]::new));
        for (WorkloadResult r : results) {
            List<String> row = new ArrayList<>(List.of(r.workload().label()));
            for (VariantResult v : r.sweep()) {
                String cell =
                        time(v) + (v == r.best() || v.name().equals(r.best().name()) ? " **best**" : "");
                row.add(cell + (v.measured() && v.runs().size() < 2 ? " (1 run)" : ""));
            }
            row.add(Format.seconds(r.limitSeconds(r.best())));
            t.row(row.toArray(String[]::new));
        }
        return t.render();
    }

    private String targets() {
        Table t = new Table("target", "verdict", "measured");
        for (Targets.Check c : checks) {
            t.row(c.target(), c.met() ? "met" : "**missed**", c.detail());
        }
        return t.render();
    }

    private static String time(VariantResult v) {
        return v.measured() ? Format.seconds(v.medianSeconds()) : "~" + Format.seconds(v.medianSeconds());
    }

    /** A GitHub-flavoured Markdown table. */
    static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = header;
        }

        void row(String... cells) {
            rows.add(cells);
        }

        String render() {
            StringBuilder sb = new StringBuilder();
            line(sb, header);
            String[] rule = new String[header.length];
            Arrays.fill(rule, "---");
            line(sb, rule);
            rows.forEach(r -> line(sb, r));
            return sb.toString();
        }

        private static void line(StringBuilder sb, String[] cells) {
            sb.append('|');
            for (String c : cells) {
                sb.append(' ').append(c.replace("|", "\\|")).append(" |");
            }
            sb.append('\n');
        }
    }
}
