package dev.kubeteardown.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kubeteardown.sim.Verb;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;

/** The writers on made-up results: no simulator, no timing. */
class ReportWritersTest {

    private final LimitModel limits = new LimitModel(500);

    @Test
    void markdownMarksEstimatesAndNamesTheBestParallelism() {
        String md = new MarkdownReport(environment(), results(), new Targets(results()).evaluate()).render();
        assertTrue(
                md.contains("| N=1,000 (20 BV), 5 ms | ~60.0 | 2.00 | 1.05 (p=64) | 0.485 | 2.16 | 57x | 30x |"), md);
        assertTrue(md.contains("| N=1,000 (20 BV), 5 ms | naive | 0 | ~60.0 (estimate) |"), md);
        assertTrue(md.contains("**missed**"), md);
    }

    @Test
    void jsonKeepsEveryRunAndSaysWhenNaiveWasOnlyEstimated() {
        JsonObject json = JsonParser.parseString(new JsonReport(environment(), results(), List.of()).render())
                .getAsJsonObject();
        JsonObject workload = json.getAsJsonArray("workloads").get(0).getAsJsonObject();
        assertFalse(workload.getAsJsonObject("naive").get("measured").getAsBoolean());
        JsonObject best = workload.getAsJsonArray("sweep").get(1).getAsJsonObject();
        assertEquals(2, best.getAsJsonArray("runs").size());
        assertTrue(best.get("speedupIsOverNaiveEstimate").getAsBoolean());
        assertEquals(
                1020, best.getAsJsonObject("requestsOfMedianRun").get("delete").getAsLong());
    }

    @Test
    void chartIsWellFormedSvgWithOnePanelPerLatency() throws Exception {
        String svg = new SvgChart(results()).render();
        var doc =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertTrue(svg.contains("5 ms per request"));
        assertTrue(svg.contains("fill=\"white\"/>"), "the estimated naive point is hollow");
    }

    private BenchEnvironment environment() {
        BenchOptions options = BenchOptions.parse("");
        return new BenchEnvironment(
                options,
                new RunBudget(5, Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(90), limits));
    }

    private List<WorkloadResult> results() {
        Workload w = Workload.of(1000, Duration.ofMillis(5), ControllerDelays.DEFAULT);
        VariantResult naive = VariantResult.skipped(new NaiveVariant(), Duration.ofSeconds(60), "not run");
        VariantResult defaults =
                new VariantResult("kube-teardown default", 8, List.of(run(2.0), run(2.0)), Duration.ofSeconds(1), "");
        VariantResult p64 =
                new VariantResult("kube-teardown p=64", 64, List.of(run(1.0), run(1.1)), Duration.ofSeconds(1), "");
        return List.of(new WorkloadResult(
                w, naive, defaults, List.of(defaults.renamed("kube-teardown p=8", ""), p64), limits));
    }

    private static RunMeasurement run(double seconds) {
        return new RunMeasurement(
                (long) (seconds * 1e9),
                500_000_000L,
                0,
                new CpuByRole.Split(0.2, 0.3),
                Map.of(Verb.LIST, 3L, Verb.WATCH, 2L, Verb.DELETE, 1020L),
                new HeapSampler.Peak(0, 50_000_000L, -1, 0, 0),
                1_000_000L,
                true,
                "");
    }
}
