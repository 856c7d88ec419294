package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The throughput model's figures as GET /v1/functions shows them (issue 17). */
class ThroughputFiguresTest {

    private static final FunctionSpec SLEEP = FunctionSpecs.builder("acme", "sleep", Runtime.JAVA, "sleep")
            .setConcurrency(4).build();

    @Test
    void shouldShowCapacity80AndUtilizationHalfWhenTwoReplicasOfFourSlotsRun100MsCallsAt40PerSecond() {
        ThroughputFigures figures = ThroughputFigures.of(SLEEP, new FunctionStats.RunTimes(400, 100_000, 120_000, 40),
                40.0, Optional.of(new FunctionScaling("sleep", 2, 2, 0L)));

        ObjectNode json = new ObjectMapper().createObjectNode();
        figures.writeTo(json);

        assertThat(json.get("model").get("meanRunMs").asDouble()).isEqualTo(100.0);
        assertThat(json.get("model").get("p95RunMs").asDouble()).isEqualTo(120.0);
        assertThat(json.get("model").get("width").asInt()).isEqualTo(1);
        assertThat(json.get("model").get("capacityPerSecond").asDouble()).isCloseTo(80.0, within(1e-9));
        assertThat(json.get("model").get("serviceRatePerSecond").asDouble()).isEqualTo(40.0);
        assertThat(json.get("model").get("arrivalRatePerSecond").asDouble()).isEqualTo(40.0);
        assertThat(json.get("model").get("utilization").asDouble()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void shouldShowNullsWhenNothingRanOrTheAutoscalerIsNotKnown() {
        ObjectNode nothingRan = new ObjectMapper().createObjectNode();
        ThroughputFigures.of(SLEEP, new FunctionStats.RunTimes(0, 0, 0, 0), 40.0,
                Optional.of(new FunctionScaling("sleep", 2, 2, 0L))).writeTo(nothingRan);
        assertThat(nothingRan.get("model").get("meanRunMs").isNull()).isTrue();
        assertThat(nothingRan.get("model").get("capacityPerSecond").isNull()).isTrue();
        assertThat(nothingRan.get("model").get("utilization").isNull()).isTrue();
        assertThat(nothingRan.get("model").get("arrivalRatePerSecond").asDouble()).isEqualTo(40.0);

        ThroughputFigures noScaling = ThroughputFigures.of(SLEEP, new FunctionStats.RunTimes(10, 100_000, 100_000, 1),
                1.0, Optional.empty());
        assertThat(noScaling.meanRunMs()).isEqualTo(100.0);
        assertThat(noScaling.capacityPerSecond()).as("replicas unknown").isNull();
        assertThat(noScaling.utilization()).isNull();

        ThroughputFigures scaledToZero = ThroughputFigures.of(SLEEP,
                new FunctionStats.RunTimes(10, 100_000, 100_000, 1), 0.0, Optional.of(new FunctionScaling("sleep", 0, 0,
                        0L)));
        assertThat(scaledToZero.capacityPerSecond()).isZero();
        assertThat(scaledToZero.utilization()).as("no capacity to divide by").isNull();
    }

    @Test
    void shouldTakeOneMicrosecondWhenEveryRunWasFasterThanTheClockResolution() {
        // echo, once warm, measures 0 µs on every run (durationMicros is truncated): it ran, so T is not unknown.
        ThroughputFigures tooFast = ThroughputFigures.of(SLEEP, new FunctionStats.RunTimes(20, 0, 0, 5), 5.0,
                Optional.of(new FunctionScaling("sleep", 2, 2, 0L)));
        assertThat(tooFast.meanRunMs()).isEqualTo(0.001);
        assertThat(tooFast.capacityPerSecond()).isPositive();
        assertThat(tooFast.utilization()).isNotNegative();
    }
}
