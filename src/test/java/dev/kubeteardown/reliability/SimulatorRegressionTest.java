package dev.kubeteardown.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.kubeteardown.sim.LonghornSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Minimal reproductions of simulator bugs the fault-injection suite ran into; disabled with the bug as the reason. */
class SimulatorRegressionTest {

    @Test
    @DisplayName("a watch of backups streams only Backup events")
    void watchStreamsOnlyItsOwnResource() throws Exception {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            SimAdmin admin = new SimAdmin(sim.url());
            List<String> kinds = new CopyOnWriteArrayList<>();
            Call call = admin.streaming()
                    .newCall(new Request.Builder()
                            .url(sim.url() + SimAdmin.BACKUPS + "?watch=true")
                            .build());
            Thread reader = new Thread(() -> {
                try (Response response = call.execute()) {
                    String line;
                    while ((line = response.body().source().readUtf8Line()) != null) {
                        kinds.add(JsonParser.parseString(line)
                                .getAsJsonObject()
                                .getAsJsonObject("object")
                                .get("kind")
                                .getAsString());
                    }
                } catch (Exception closed) {
                    // the call is cancelled at the end
                }
            });
            reader.start();
            long opened = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (sim.openWatches() == 0) {
                if (System.nanoTime() > opened) {
                    throw new AssertionError("the watch did not open within 5 s");
                }
                Thread.sleep(5);
            }
            admin.createNamespace("ns-a");
            admin.createBackup("ns-a", "b-1", Map.of(), List.of());
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (kinds.stream().noneMatch("Backup"::equals) && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            call.cancel();
            reader.join(2_000);
            assertEquals(List.of("Backup"), kinds);
        }
    }
}
