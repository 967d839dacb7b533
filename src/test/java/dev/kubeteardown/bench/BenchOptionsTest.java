package dev.kubeteardown.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void quickIsOneWorkloadAtFiveMilliseconds() {
        BenchOptions o = BenchOptions.parse("--quick");
        assertTrue(o.quick);
        assertEquals(1, o.workloads().size());
        assertEquals(1000, o.workloads().get(0).backups());
        assertEquals(Duration.ofMillis(5), o.workloads().get(0).latency());
    }

    @Test
    void mavenHandsTheArgumentsOverAsOneStringAndFlagsOverrideThePreset() {
        BenchOptions o = BenchOptions.parse("--quick --backups 500,100 --latency-ms=20 --runs 2");
        assertEquals(
                List.of(100, 500), o.workloads().stream().map(Workload::backups).toList());
        assertEquals(Duration.ofMillis(20), o.workloads().get(0).latency());
        assertEquals(2, o.runs);
    }

    @Test
    void theFullRunIsNineWorkloadsFromSmallToLarge() {
        List<Workload> workloads = BenchOptions.parse("").workloads();
        assertEquals(9, workloads.size());
        assertEquals(100, workloads.get(0).backups());
        assertEquals(10_000, workloads.get(8).backups());
        assertEquals(Duration.ofMillis(20), workloads.get(8).latency());
    }

    @Test
    void scaleIsOneThousandToOneHundredThousandWithoutLatency() {
        BenchOptions o = BenchOptions.parse("--scale");
        assertTrue(o.scale);
        assertEquals(
                List.of(1_000, 10_000, 100_000),
                o.workloads().stream().map(Workload::backups).toList());
        assertTrue(o.workloads().stream().allMatch(w -> w.latency().isZero()));
    }

    @Test
    void badValuesNameTheFlag() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--parallelism", "0"));
        assertEquals("--parallelism values must be >= 1, was 0", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--nope", "1"))
                .getMessage()
                .startsWith("unknown flag --nope"));
    }
}
