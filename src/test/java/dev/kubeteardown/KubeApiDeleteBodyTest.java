package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Preconditions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DELETE body written without client-java's model serializer is the one that serializer writes. */
class KubeApiDeleteBodyTest {

    @Test
    void deleteBodyIsWhatClientJavaWouldSend() {
        for (PropagationPolicy propagation : PropagationPolicy.values()) {
            for (Duration grace :
                    new Duration[] {null, Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(30)}) {
                for (boolean dryRun : new boolean[] {false, true}) {
                    V1DeleteOptions expected = new V1DeleteOptions()
                            .apiVersion("v1")
                            .kind("DeleteOptions")
                            .preconditions(new V1Preconditions().uid("uid-1"))
                            .propagationPolicy(propagation.wireValue());
                    if (grace != null) {
                        expected.gracePeriodSeconds(
                                grace.plusNanos(999_999_999L).toSeconds());
                    }
                    if (dryRun) {
                        expected.dryRun(List.of("All"));
                    }
                    String ours = new String(
                            KubeApi.deleteOptions("uid-1", propagation, grace, dryRun), StandardCharsets.UTF_8);
                    String theirs = new JSON().serialize(expected);
                    assertEquals(theirs, ours, propagation + ", grace " + grace + ", dry run " + dryRun);
                    assertEquals(JsonParser.parseString(theirs), JsonParser.parseString(ours));
                }
            }
        }
    }
}
