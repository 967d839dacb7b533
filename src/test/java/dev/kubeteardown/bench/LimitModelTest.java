package dev.kubeteardown.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitModelTest {

    private final LimitModel model = new LimitModel(500);

    @Test
    void eachStepIsItsDeleteRoundsTimesLatencyPlusTheFinalizerDelay() {
        Workload w = Workload.of(1000, Duration.ofMillis(5), ControllerDelays.DEFAULT);
        // 20 backup volumes: 1 round of 64; 1,000 backups: 16 rounds; 17 x 5 ms + 2 x 200 ms
        assertEquals(Duration.ofMillis(485), model.limit(w, 64));
        // parallelism 8: 3 + 125 rounds
        assertEquals(Duration.ofMillis(1040), model.limit(w, 8));
    }

    @Test
    void listPagesBoundTheRoundsWhenParallelismExceedsThePageSize() {
        Workload w = Workload.of(10_000, Duration.ofMillis(20), ControllerDelays.DEFAULT);
        // 200 volumes: 1 page; 10,000 backups: 20 pages > ceil(10,000 / 1,000) = 10 rounds
        assertEquals(Duration.ofMillis((1 + 20) * 20 + 400), model.limit(w, 1000));
    }

    @Test
    void withoutLatencyOnlyTheControllerDelaysRemain() {
        Workload w = Workload.of(10_000, Duration.ZERO, ControllerDelays.DEFAULT);
        assertEquals(Duration.ofMillis(400), model.limit(w, 4));
    }
}
