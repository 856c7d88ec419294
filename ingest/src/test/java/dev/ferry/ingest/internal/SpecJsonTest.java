package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private SpecJson.Parsed parse(String json, boolean process) {
        return SpecJson.parse(mapper, json.getBytes(StandardCharsets.UTF_8), "acme", "resize", process, java.util.List.of());
    }

    @Test
    void shouldFillDefaultsAndTakeTheTenantFromTheCallerWhenFieldsAreLeftOut() {
        SpecJson.Parsed parsed = parse("{\"runtime\": \"java\", \"handler\": \"echo\"}", false);

        assertThat(parsed.errors()).isEmpty();
        FunctionSpec spec = parsed.spec();
        assertThat(spec.getTenant()).isEqualTo("acme");
        assertThat(spec.getName()).isEqualTo("resize");
        assertThat(spec.getRuntime()).isEqualTo(Runtime.JAVA);
        assertThat(spec.getMemoryMb()).isEqualTo(128);
        assertThat(spec.getTimeoutMs()).isEqualTo(30_000);
        assertThat(spec.getMaxAttempts()).isEqualTo(3);
        assertThat(spec.getDelivery()).isEqualTo(Delivery.QUEUE);
    }

    @Test
    void shouldReadEveryFieldWhenGiven() {
        SpecJson.Parsed parsed = parse("""
                {"name": "resize", "runtime": "HTTP", "handler": "http://localhost:9000/fn", "memoryMb": 512,
                 "timeoutMs": 1000, "concurrency": 4, "minReplicas": 1, "maxReplicas": 5, "partitions": 3,
                 "delivery": "ORDERED", "targetLagPerReplica": 20, "maxAttempts": 1, "env": {"A": "b"},
                 "partitionStrategy": "round-robin"}
                """, false);

        assertThat(parsed.errors()).isEmpty();
        FunctionSpec spec = parsed.spec();
        assertThat(spec.getMemoryMb()).isEqualTo(512);
        assertThat(spec.getConcurrency()).isEqualTo(4);
        assertThat(spec.getPartitions()).isEqualTo(3);
        assertThat(spec.getDelivery()).isEqualTo(Delivery.ORDERED);
        assertThat(spec.getEnv()).isEqualTo(Map.of("A", "b"));
        assertThat(spec.getPartitionStrategy()).isEqualTo("round-robin");
        assertThat(SpecJson.toJson(mapper, spec).get("memoryMb").asInt()).isEqualTo(512);
    }

    @Test
    void shouldTakeBackWhatAGetAnsweredStatusAndOwnTenantIncluded() {
        // A tester, session 13: the README's read-modify-write over HTTP answered 400 naming five fields.
        SpecJson.Parsed parsed = parse("""
                {"tenant": "acme", "name": "resize", "runtime": "JAVA", "handler": "echo", "memoryMb": 512,
                 "replicas": 2, "desiredReplicas": 3, "lag": 7, "model": {"replicaRate": 10.0}}
                """, false);

        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.spec().getMemoryMb()).isEqualTo(512);
        assertThat(parsed.spec().getTenant()).isEqualTo("acme");
    }

    @Test
    void shouldListEveryProblemAtOnceWhenTheBodyIsWrong() {
        SpecJson.Parsed parsed = parse("""
                {"tenant": "other", "handler": 5, "memoryMb": "big", "delivery": "SOMETIMES", "colour": "red"}
                """, false);

        assertThat(parsed.valid()).isFalse();
        assertThat(parsed.errors()).anyMatch(e -> e.startsWith("tenant must not be given"))
                .anyMatch(e -> e.startsWith("unknown field 'colour'"))
                .anyMatch(e -> e.startsWith("runtime is required"))
                .anyMatch(e -> e.startsWith("handler must be a string"))
                .anyMatch(e -> e.startsWith("memoryMb must be an integer"))
                .anyMatch(e -> e.startsWith("delivery must be one of"));
    }

    @Test
    void shouldApplyTheCoreRulesWhenTheShapeIsRight() {
        SpecJson.Parsed parsed = parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": 64}", false);
        assertThat(parsed.errors()).containsExactly("memoryMb must be between 128 and 10240, got 64");
    }

    @Test
    void shouldRefuseTheProcessRuntimeUnlessTheOperatorEnabledIt() {
        String body = "{\"runtime\": \"PROCESS\", \"handler\": \"cat\"}";
        assertThat(parse(body, false).errors()).anyMatch(e -> e.contains("PROCESS runtime is disabled"));
        assertThat(parse(body, true).errors()).isEmpty();
    }

    @Test
    void shouldRefuseNonObjectsAndBrokenJson() {
        assertThat(parse("[1, 2]", false).errors()).hasSize(1);
        assertThat(parse("{\"runtime\": ", false).errors().get(0)).startsWith("body is not valid JSON");
        assertThat(parse("{\"name\": \"other\", \"runtime\": \"JAVA\", \"handler\": \"echo\"}", false).errors())
                .anyMatch(e -> e.contains("differs from the path"));
    }

    @Test
    void shouldRefuseRepeatedKeysTrailingValuesAndWrongTypesWhenParsing() {
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": 128, \"memoryMb\": 64}",
                false).errors()).singleElement().asString().contains("Duplicate field 'memoryMb'");
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\"} {}", false).errors()).hasSize(1);
        assertThat(parse("{\"name\": 5, \"runtime\": \"JAVA\", \"handler\": \"echo\"}", false).errors())
                .containsExactly("name must be a string");
    }

    /** A tester: a wrong-type memoryMb hid timeoutMs -1, so fixing a deployment took two rounds. */
    @Test
    void shouldListTypeErrorsAndRuleErrorsTogetherWhenBothAreInTheBody() {
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": \"lots\", "
                + "\"timeoutMs\": -1}", false).errors())
                .containsExactlyInAnyOrder("memoryMb must be an integer between 128 and 10240, got \"lots\"",
                        "timeoutMs must be between 1 and 900000, got -1");
        assertThat(parse("{\"runtime\": \"LAMBDA\", \"handler\": \"https://hooks.example.com/run\", "
                + "\"memoryMb\": 64}", false).errors())
                .as("no rule speaks of a placeholder: the handler is not checked against a runtime that did not parse")
                .containsExactlyInAnyOrder("runtime must be one of [JAVA, HTTP, PROCESS], got 'LAMBDA'",
                        "memoryMb must be between 128 and 10240, got 64");
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": 20, "
                + "\"maxReplicas\": \"many\", \"delivery\": 1}", false).errors())
                .as("nor compares minReplicas with the maxReplicas that did not parse")
                .containsExactlyInAnyOrder("maxReplicas must be an integer between 1 and 1000, got \"many\"",
                        "delivery must be a string");
    }

    /** A tester: memoryMb 99999999999999 was "not an integer"; it is one, outside the field's range. */
    @Test
    void shouldSayAnIntegerTooBigForItsFieldIsOutOfRange() {
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": 99999999999999}",
                false).errors()).containsExactly("memoryMb must be between 128 and 10240, got 99999999999999");
        for (String field : List.of("memoryMb", "timeoutMs", "concurrency", "minReplicas", "maxReplicas",
                "partitions", "targetLagPerReplica", "maxAttempts")) {
            for (String number : List.of("2147483648", "-2147483649", "99999999999999999999999")) {
                assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"" + field + "\": " + number
                        + "}", false).errors()).as(field + " " + number).singleElement().asString()
                        .startsWith(field + " must be between ").endsWith(", got " + number);
            }
        }
        String digits = "9".repeat(500);
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": " + digits + "}",
                false).errors()).singleElement().asString().startsWith("partitions must be between 1 and 1000, got 9")
                .endsWith("(500 digits)").hasSizeLessThan(100);
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2.5}", false)
                .errors()).containsExactly("partitions must be an integer between 1 and 1000, got 2.5");
    }

    /** A tester: "512", 512.5, 512.0, 1e3 and true were told only "memoryMb must be an integer", not its range. */
    @Test
    void shouldNameTheRangeAndTheValueWhenAnIntegerFieldHasAnotherType() {
        Map<String, String> sent = new LinkedHashMap<>();
        sent.put("\"512\"", "\"512\"");
        sent.put("512.5", "512.5");
        sent.put("512.0", "512.0");
        sent.put("1e3", "1E+3");
        sent.put("true", "true");
        sent.put("[512]", "an array");
        sent.put("{\"mb\": 512}", "an object");
        sent.forEach((json, shown) -> assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", "
                + "\"memoryMb\": " + json + "}", false).errors()).as(json)
                .containsExactly("memoryMb must be an integer between 128 and 10240, got " + shown));
        assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"timeoutMs\": \"" + "x".repeat(5000)
                + "\"}", false).errors()).singleElement().asString()
                .startsWith("timeoutMs must be an integer between 1 and 900000, got \"xxx").hasSizeLessThan(140);
        // Decimals are read exactly: ones no double holds are still a clean type error, never an exception.
        for (String huge : List.of("1e400", "-1e-400", "0." + "1".repeat(900))) {
            assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": " + huge + "}", false)
                    .errors()).as(huge).singleElement().asString()
                    .startsWith("memoryMb must be an integer between 128 and 10240, got ").hasSizeLessThan(140);
        }
        for (String unreadable : List.of("1e99999999999", "-1e-99999999999")) {
            assertThat(parse("{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": " + unreadable + "}",
                    false).errors()).as(unreadable).singleElement().asString()
                    .startsWith("body is not valid JSON: a number is out of range").doesNotContain("java.math")
                    .doesNotContain("`");
        }
    }
}
