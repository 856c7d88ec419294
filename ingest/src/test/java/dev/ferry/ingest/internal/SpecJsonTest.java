package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
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
}
