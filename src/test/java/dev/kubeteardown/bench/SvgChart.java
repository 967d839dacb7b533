package dev.kubeteardown.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Wall time against N, one panel per latency, both axes logarithmic: naive, default, best and the limit line.
 * Plain SVG written by hand; an estimated (not run) naive point is drawn hollow, joined by a dashed line.
 */
final class SvgChart {

    private static final int PANEL_W = 300;
    private static final int PANEL_H = 250;
    private static final int LEFT = 70;
    private static final int GAP = 70;
    private static final int TOP = 60;
    private static final int BOTTOM = 90;

    /** One line of the chart. */
    private record Series(
            String name,
            String color,
            boolean dashed,
            Function<WorkloadResult, VariantResult> variant,
            boolean limit) {}

    private static final List<Series> SERIES = List.of(
            new Series("naive (hollow: estimate, not run)", "#d62728", false, WorkloadResult::naive, false),
            new Series("kube-teardown default (adaptive)", "#1f77b4", false, WorkloadResult::defaults, false),
            new Series("kube-teardown best (parallelism sweep)", "#2ca02c", false, WorkloadResult::best, false),
            new Series("limit at the best parallelism", "#7f7f7f", true, WorkloadResult::best, true));

    private final List<WorkloadResult> results;

    SvgChart(List<WorkloadResult> results) {
        this.results = results;
    }

    String render() {
        List<Long> latencies = results.stream()
                .map(r -> r.workload().latency().toMillis())
                .distinct()
                .sorted()
                .toList();
        double minN =
                results.stream().mapToInt(r -> r.workload().backups()).min().orElse(100);
        double maxN =
                results.stream().mapToInt(r -> r.workload().backups()).max().orElse(10000);
        double xLo = Math.log10(minN) - 0.15;
        double xHi = Math.log10(Math.max(maxN, minN * 10)) + 0.15;
        double minT = Double.MAX_VALUE;
        double maxT = 0;
        for (WorkloadResult r : results) {
            for (Series s : SERIES) {
                double t = value(s, r);
                minT = Math.min(minT, t);
                maxT = Math.max(maxT, t);
            }
        }
        double yLo = Math.floor(Math.log10(minT));
        double yHi = Math.ceil(Math.log10(maxT));
        if (yHi <= yLo) {
            yHi = yLo + 1;
        }
        int width = LEFT + latencies.size() * (PANEL_W + GAP);
        int height = TOP + PANEL_H + BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                        + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width,
                height,
                width,
                height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"22\" font-size=\"16\" font-weight=\"bold\">Teardown"
                        + " wall time vs number of backups (log-log; lower is better)</text>%n",
                LEFT));
        for (int i = 0; i < latencies.size(); i++) {
            long latency = latencies.get(i);
            int x0 = LEFT + i * (PANEL_W + GAP);
            panel(
                    svg,
                    x0,
                    latency,
                    xLo,
                    xHi,
                    yLo,
                    yHi,
                    results.stream()
                            .filter(r -> r.workload().latency().toMillis() == latency)
                            .sorted((a, b) -> Integer.compare(
                                    a.workload().backups(), b.workload().backups()))
                            .toList());
        }
        legend(svg, TOP + PANEL_H + 45);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void panel(
            StringBuilder svg,
            int x0,
            long latency,
            double xLo,
            double xHi,
            double yLo,
            double yHi,
            List<WorkloadResult> rows) {
        Function<Double, Double> px = n -> x0 + (Math.log10(n) - xLo) / (xHi - xLo) * PANEL_W;
        Function<Double, Double> py = t -> TOP + PANEL_H - (Math.log10(t) - yLo) / (yHi - yLo) * PANEL_H;
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%d ms per request</text>%n",
                x0 + 4,
                TOP - 10,
                latency));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\"" + " stroke=\"#333\"/>%n",
                x0,
                TOP,
                PANEL_W,
                PANEL_H));
        for (double e = yLo; e <= yHi; e++) {
            double y = py.apply(Math.pow(10, e));
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    x0,
                    y,
                    x0 + PANEL_W,
                    y));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s s</text>%n",
                    x0 - 4,
                    y + 4,
                    tick(Math.pow(10, e))));
        }
        for (double e = Math.ceil(xLo); e <= xHi; e++) {
            double x = px.apply(Math.pow(10, e));
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x,
                    TOP,
                    x,
                    TOP + PANEL_H));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    TOP + PANEL_H + 16,
                    Format.count(Math.pow(10, e))));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">N backups</text>%n",
                x0 + PANEL_W / 2,
                TOP + PANEL_H + 32));
        for (Series s : SERIES) {
            List<double[]> points = new ArrayList<>();
            for (WorkloadResult r : rows) {
                points.add(new double[] {
                    px.apply((double) r.workload().backups()),
                    py.apply(value(s, r)),
                    s.limit() || s.variant().apply(r).measured() ? 1 : 0
                });
            }
            for (int k = 1; k < points.size(); k++) {
                double[] a = points.get(k - 1);
                double[] b = points.get(k);
                boolean dashed = s.dashed() || a[2] == 0 || b[2] == 0;
                svg.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                                + " stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                        a[0],
                        a[1],
                        b[0],
                        b[1],
                        s.color(),
                        dashed ? " stroke-dasharray=\"5,4\"" : ""));
            }
            for (double[] p : points) {
                if (s.limit()) {
                    continue;
                }
                svg.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" stroke=\"%s\"" + " stroke-width=\"2\" fill=\"%s\"/>%n",
                        p[0],
                        p[1],
                        s.color(),
                        p[2] == 1 ? s.color() : "white"));
            }
        }
    }

    private void legend(StringBuilder svg, int y) {
        int x = LEFT;
        for (Series s : SERIES) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"" + " stroke-width=\"2\"%s/>%n",
                    x,
                    y,
                    x + 24,
                    y,
                    s.color(),
                    s.dashed() ? " stroke-dasharray=\"5,4\"" : ""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 30, y + 4, s.name()));
            x += 30 + 7 * s.name().length() + 20;
            if (x > LEFT + 2 * (PANEL_W + GAP)) {
                x = LEFT;
                y += 20;
            }
        }
    }

    private static double value(Series s, WorkloadResult r) {
        VariantResult v = s.variant().apply(r);
        return Math.max(1e-3, s.limit() ? r.limitSeconds(v) : v.medianSeconds());
    }

    private static String tick(double seconds) {
        return seconds >= 1
                ? Format.count(seconds)
                : String.format(Locale.ROOT, "%s", seconds >= 0.1 ? "0.1" : seconds >= 0.01 ? "0.01" : "0.001");
    }
}
