package dev.ferry.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * {@code ferry top} and {@code ferry functions} show a capacity only where the mean run time is long enough to mean
 * one: {@code ferry demo}'s echo ran 3 µs a call and showed 0.0 ms and 21,333,333 requests/s.
 */
class CapacityColumnTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String top(String model) throws Exception {
        JsonNode scaling = JSON.readTree("[{\"function\": \"echo\", \"replicas\": 8, \"desiredReplicas\": 8, \"lag\": 0}]");
        JsonNode described = JSON.readTree("[{\"name\": \"echo\", \"model\": " + model + "}]");
        StringWriter out = new StringWriter();
        TopCommand.render(scaling, described, new PrintWriter(out));
        return out.toString();
    }

    @Test
    void shouldShowNoCapacityWhenTheRunTimeIsBelowWhatTheColumnResolves() throws Exception {
        String shown = top("{\"meanRunMs\": 0.003, \"capacityPerSecond\": 21333333.333, \"arrivalRatePerSecond\": 20.2,"
                + " \"utilization\": 0.000001}");

        assertThat(shown).doesNotContain("21333333").containsPattern("(?m)^echo\\s+8\\s+8\\s+0\\s+20\\.2\\s+-\\s+-\\s*$");
        JsonNode model = JSON.readTree("{\"meanRunMs\": 0.003, \"capacityPerSecond\": 21333333.333}");
        assertThat(FunctionsCommand.meanRun(model)).isEqualTo("<0.1");
        assertThat(FunctionsCommand.capacity(model)).isEqualTo("-");
    }

    @Test
    void shouldShowTheCapacityWhenTheRunTimeIsMeasurable() throws Exception {
        String shown = top("{\"meanRunMs\": 100.0, \"capacityPerSecond\": 80.0, \"arrivalRatePerSecond\": 40.0,"
                + " \"utilization\": 0.5}");

        assertThat(shown).containsPattern("(?m)^echo\\s+8\\s+8\\s+0\\s+40\\.0\\s+80\\.0\\s+50%\\s*$");
        assertThat(FunctionsCommand.meanRun(JSON.readTree("{\"meanRunMs\": 0.2}"))).isEqualTo("0.2");
    }
}
