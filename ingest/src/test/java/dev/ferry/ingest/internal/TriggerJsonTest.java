package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TriggerJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final TopicCatalog topics = new TopicCatalog(FerryConfig.defaults());

    private TriggerJson.Parsed parse(String json) {
        return TriggerJson.parse(mapper, json.getBytes(StandardCharsets.UTF_8), "acme", "enrich", topics);
    }

    @Test
    void shouldTakeTheDefaultsOfDesignWhenOnlyFunctionAndTopicsAreGiven() {
        TriggerJson.Parsed parsed = parse("{\"function\": \"echo\", \"topics\": [\"orders\"]}");

        assertThat(parsed.errors()).isEmpty();
        TriggerSpec spec = parsed.spec();
        assertThat(spec.getTenant()).isEqualTo("acme");
        assertThat(spec.getStartingPosition()).isEqualTo(StartingPosition.LATEST);
        assertThat(spec.getFormat()).isEqualTo(RecordFormat.BYTES);
        assertThat(spec.getOrdering()).isEqualTo(TriggerOrdering.PARTITION);
        assertThat(spec.getBatchSize()).isEqualTo(1);
        assertThat(spec.getEnabled()).isTrue();
        assertThat(spec.getDestination()).isNull();
    }

    @Test
    void shouldReadEveryFieldAndAnswerThemWithTheSameNames() throws Exception {
        TriggerJson.Parsed parsed = parse("""
                {"name": "enrich", "function": "echo", "topics": ["orders", "payments"], "group": "my-group",
                 "startingPosition": "timestamp", "startingTimestamp": "2026-01-01T00:00:00Z", "format": "JSON",
                 "batchSize": 10, "batchWindowMs": 500, "filter": {"value": {"status": ["paid"]}},
                 "ordering": "KEY", "destination": "orders-enriched", "onFailure": "orders-failed",
                 "maxRecordAgeMs": 60000, "bisectOnError": true, "enabled": false}""");

        assertThat(parsed.errors()).isEmpty();
        JsonNode json = TriggerJson.toJson(mapper, parsed.spec());
        assertThat(json.get("topics").toString()).isEqualTo("[\"orders\",\"payments\"]");
        assertThat(json.get("startingPosition").asText()).isEqualTo("TIMESTAMP");
        assertThat(json.get("startingTimestamp").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(mapper.readTree(json.get("filter").asText()))
                .isEqualTo(mapper.readTree("{\"value\": {\"status\": [\"paid\"]}}"));
        assertThat(json.get("ordering").asText()).isEqualTo("KEY");
        assertThat(json.get("batchWindowMs").asInt()).isEqualTo(500);
        assertThat(json.get("maxRecordAgeMs").asLong()).isEqualTo(60000);
        assertThat(json.get("bisectOnError").asBoolean()).isTrue();
        assertThat(json.get("enabled").asBoolean()).isFalse();
        assertThat(json.get("group").asText()).isEqualTo("my-group");
        assertThat(json.get("tenant").asText()).isEqualTo("acme");
        assertThat(Instant.parse(json.get("updatedAt").asText())).isNotNull();
    }

    @Test
    void shouldTakeBackWhatAGetAnsweredStatusAndOwnTenantIncluded() {
        TriggerJson.Parsed parsed = parse("""
                {"tenant": "acme", "name": "enrich", "function": "echo", "topics": ["orders"], "batchSize": 5,
                 "state": "RUNNING", "lag": 0, "read": 10, "filtered": 0, "answered": 10, "failed": 0,
                 "rates": {"read": 1.0, "filtered": 0.0, "answered": 1.0, "failed": 0.0}, "replicas": 1,
                 "error": null}""");

        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.spec().getBatchSize()).isEqualTo(5);
    }

    @Test
    void shouldNameEveryProblemWhenTheBodyHasUnknownFieldsAndBadValues() {
        TriggerJson.Parsed parsed = parse("""
                {"tenant": "beta", "function": 7, "topics": "orders", "batchSize": "ten", "ordering": "RANDOM",
                 "colour": "red", "enabled": "yes", "startingTimestamp": "yesterday"}""");

        assertThat(parsed.valid()).isFalse();
        assertThat(parsed.errors()).contains(
                "tenant must not be given: it is the tenant of the API key",
                "unknown field 'colour'",
                "function must be a string",
                "topics must be an array of topic names",
                "batchSize must be an integer between 1 and 10000, got \"ten\"",
                "enabled must be true or false");
        assertThat(parsed.errors()).anyMatch(e -> e.startsWith("ordering must be one of [PARTITION, KEY, NONE]"));
        assertThat(parsed.errors()).anyMatch(e -> e.startsWith("startingTimestamp must be an ISO-8601 instant"));
    }

    @Test
    void shouldApplyTheSpecRulesWhenTheFieldsParse() {
        TriggerJson.Parsed parsed = parse("""
                {"function": "echo", "topics": ["orders"], "destination": "orders", "batchSize": 0,
                 "startingPosition": "TIMESTAMP"}""");

        assertThat(parsed.errors()).anyMatch(e -> e.contains("destination 'orders' is also a source topic"))
                .anyMatch(e -> e.startsWith("batchSize must be between 1 and 10000"))
                .anyMatch(e -> e.startsWith("startingTimestamp is required"));
    }

    @Test
    void shouldRefuseAFilterThatIsNotAPatternAlongWithTheSpecsOtherProblems() {
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"filter\": \"[1, 2]\"}").errors())
                .singleElement().asString().startsWith("filter");
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"batchSize\": 0, "
                + "\"filter\": {\"value\": {\"status\": \"paid\"}}}").errors())
                .anyMatch(e -> e.startsWith("batchSize must be between"))
                .anyMatch(e -> e.startsWith("filter"));
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"filter\": 3}").errors())
                .singleElement().asString().startsWith("filter must be a JSON event pattern");
    }

    @Test
    void shouldRequireFunctionAndTopicsSayingSoOnce() {
        assertThat(parse("{}").errors()).containsExactly("function is required: the name of one of your functions",
                "topics is required: an array of the source topics' names");
    }

    @Test
    void shouldNameTheRuleBreakingFieldsBesideTheFieldsThatDidNotParse() {
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"colour\": 1, \"batchSize\": 0, "
                + "\"batchWindowMs\": \"soon\"}").errors())
                .containsExactly("unknown field 'colour'",
                        "batchWindowMs must be an integer between 0 and 300000, got \"soon\"",
                        "batchSize must be between 1 and 10000, got 0");
    }

    /** A tester: batchSize 99999999999 was "not an integer"; it is one, outside the field's range. */
    @Test
    void shouldSayAnIntegerTooBigForItsFieldIsOutOfRange() {
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"batchSize\": 99999999999, "
                + "\"batchWindowMs\": -99999999999, \"maxRecordAgeMs\": 99999999999999999999}").errors())
                .containsExactly("batchSize must be between 1 and 10000, got 99999999999",
                        "batchWindowMs must be between 0 and 300000, got -99999999999",
                        "maxRecordAgeMs must be between 1 and 9223372036854775807, got 99999999999999999999");
    }

    @Test
    void shouldListTypeErrorsAndRuleErrorsTogetherWhenBothAreInTheBody() {
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"batchSize\": \"lots\", "
                + "\"batchWindowMs\": -1}").errors())
                .containsExactly("batchSize must be an integer between 1 and 10000, got \"lots\"",
                        "batchWindowMs must be between 0 and 300000, got -1");
    }

    /** A tester: a wrong type was told only "must be an integer", not the field's range. */
    @Test
    void shouldNameTheRangeAndTheValueWhenAnIntegerFieldHasAnotherType() {
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"batchSize\": 10.5, "
                + "\"batchWindowMs\": true, \"maxRecordAgeMs\": \"60000\"}").errors())
                .containsExactly("batchSize must be an integer between 1 and 10000, got 10.5",
                        "batchWindowMs must be an integer between 0 and 300000, got true",
                        "maxRecordAgeMs must be an integer between 1 and 9223372036854775807, got \"60000\"");
    }

    /**
     * A tester: {@code "numeric": [">", 1e400]} answered {@code got the string "Infinity"} although a number was
     * sent: the body's decimals were doubles, and the filter object was written on with Infinity as a string. A
     * filter object now means what the same filter as a string means: numbers exactly as sent.
     */
    @Test
    void shouldKeepAFilterObjectsNumbersExactlyAsSent() {
        TriggerJson.Parsed parsed = parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"format\": \"JSON\", "
                + "\"filter\": "
                + "{\"value\": {\"n\": [{\"numeric\": [\">\", 1e400]}], \"p\": [0.30000000000000000001, 2.50]}}}");
        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.spec().getFilter()).doesNotContain("Infinity").contains("1E+400")
                .contains("0.30000000000000000001").contains("2.50");
        assertThat(parse("{\"function\": \"echo\", \"topics\": [\"orders\"], \"format\": \"JSON\", "
                + "\"filter\": "
                + "{\"value\": {\"n\": [{\"numeric\": [\">\", \"5\"]}]}}}").errors()).singleElement().asString()
                .contains("expected a number, got the string \"5\"");
    }
}
