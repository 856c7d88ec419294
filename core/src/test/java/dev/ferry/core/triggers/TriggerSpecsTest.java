package dev.ferry.core.triggers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerSpecsTest {

    private final TopicCatalog topics = new TopicCatalog(FerryConfig.defaults());

    private TriggerSpec.Builder valid() {
        return TriggerSpecs.builder("acme", "enrich", "enricher", List.of("orders"));
    }

    @Test
    void shouldAcceptTheDefaultsAndNameTheDefaultGroupAndDeadLetterTopic() {
        TriggerSpec spec = valid().build();
        assertThat(TriggerSpecs.validate(spec, topics)).isEmpty();
        assertThat(TriggerSpecs.group(spec, topics)).isEqualTo("ferry-trigger.acme.enrich");
        assertThat(TriggerSpecs.onFailure(spec, topics)).isEqualTo("ferry.dlq");
    }

    @Test
    void shouldRefuseADestinationThatIsAlsoASourceSinceEveryOutputWouldTriggerAgain() {
        assertThat(TriggerSpecs.validate(valid().setDestination("orders").build(), topics))
                .anyMatch(e -> e.contains("destination 'orders' is also a source topic"));
    }

    @Test
    void shouldRefuseAGroupInFerrysOwnNamespaceButTheTriggersOwnDefault() {
        assertThat(TriggerSpecs.validate(valid().setGroup("ferry-worker.acme.enricher").build(), topics))
                .anyMatch(e -> e.startsWith("group must not start with 'ferry-'"));
        assertThat(TriggerSpecs.validate(valid().setGroup("ferry-trigger.acme.enrich").build(), topics)).isEmpty();
        assertThat(TriggerSpecs.validate(valid().setGroup("orders-enricher").build(), topics)).isEmpty();
    }

    @Test
    void shouldNameEveryBrokenRuleAtOnce() {
        TriggerSpec spec = valid().setTopics(List.of("bad topic", "orders", "orders")).setBatchSize(0)
                .setBatchWindowMs(300_001).setStartingPosition(StartingPosition.TIMESTAMP).setMaxRecordAgeMs(0L)
                .build();
        assertThat(TriggerSpecs.validate(spec, topics)).hasSize(6)
                .anyMatch(e -> e.startsWith("topics: 'bad topic' is not a legal Kafka topic name"))
                .anyMatch(e -> e.equals("topics names 'orders' twice"))
                .anyMatch(e -> e.equals("batchSize must be between 1 and 10000, got 0"))
                .anyMatch(e -> e.equals("batchWindowMs must be between 0 and 300000, got 300001"))
                .anyMatch(e -> e.startsWith("startingTimestamp is required"))
                .anyMatch(e -> e.startsWith("maxRecordAgeMs must be at least 1"));
    }

    @Test
    void shouldParseTheKeyItWrites() {
        TriggerRef ref = new TriggerRef("acme", "enrich");
        assertThat(TriggerRef.parseKey(ref.key())).isEqualTo(ref);
    }

    @Test
    void shouldReserveEveryTopicThePlatformOrKafkaOwns() {
        assertThat(topics.reservation("ferry.results")).hasValueSatisfying(why -> assertThat(why).contains("Ferry's own"));
        assertThat(topics.reservation(topics.meteringApplicationId() + "-usage-windows-changelog"))
                .hasValueSatisfying(why -> assertThat(why).contains("internal to Ferry"));
        assertThat(topics.reservation("__consumer_offsets")).isPresent();
        assertThat(topics.reservation("__transaction_state")).isPresent();
        assertThat(topics.reservation("_schemas")).isPresent();
        assertThat(topics.reservation("orders")).isEmpty();
        assertThat(topics.reservation("ferry")).as("no prefix: a user's name").isEmpty();
        assertThat(topics.reservation("ferrymetering-x")).isEmpty();
        // Kafka takes names that differ only by '.' against '_' for one (a tester, session 10).
        assertThat(topics.reservation("ferry_results")).hasValueSatisfying(why -> assertThat(why)
                .contains("'ferry.results'").contains("'.' and '_'"));
        assertThat(topics.reservation(".schemas")).hasValueSatisfying(why -> assertThat(why).contains("'_schemas'"));
        assertThat(topics.reservation("orders_out")).isEmpty();
    }

    @Test
    void shouldRefuseAFilterThatIsNotAnEventPatternNamingWhereInIt() {
        assertThat(TriggerSpecs.validate(valid().setFormat(RecordFormat.JSON)
                .setFilter("{\"value\": {\"amount\": [{\"gt\": 5}]}}").build(), topics))
                .containsExactly("filter: value.amount[0]: unknown operator \"gt\"; known: prefix, suffix,"
                        + " equals-ignore-case, numeric, exists, anything-but");
        assertThat(TriggerSpecs.validate(valid().setFilter("{\"value\": ").build(), topics))
                .singleElement().asString().startsWith("filter: not valid JSON");
        assertThat(TriggerSpecs.validate(valid().setFormat(RecordFormat.JSON)
                .setFilter("{\"value\": {\"status\": [\"paid\"]}}").build(), topics)).isEmpty();
    }

    @Test
    void shouldRefuseAFilterOnAFieldNoRecordHasSinceItWouldSkipEveryRecordSilently() {
        assertThat(TriggerSpecs.validate(valid().setFormat(RecordFormat.JSON)
                .setFilter("{\"valu\": {\"status\": [\"paid\"]}}").build(), topics))
                .containsExactly("filter: unknown field \"valu\"; a record has topic, partition, offset, timestamp, "
                        + "key, value, headers");
    }

    @Test
    void shouldRefuseAValueFieldFilterWhenTheFormatHandsTheValueOverAsText() {
        String paid = "{\"value\": {\"status\": [\"paid\"]}}";
        assertThat(TriggerSpecs.validate(valid().setFilter(paid).build(), topics)).singleElement()
                .asString().contains("format BYTES").contains("use format JSON or AVRO");
        assertThat(TriggerSpecs.validate(valid().setFormat(RecordFormat.JSON).setFilter(paid).build(), topics))
                .isEmpty();
        assertThat(TriggerSpecs.validate(valid().setFilter("{\"value\": [{\"prefix\": \"eyJ\"}]}").build(),
                topics)).isEmpty();
    }
}
