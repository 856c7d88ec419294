package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.testing.InMemorySchemaRegistry;
import dev.ferry.schemas.testing.Records;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

    private static final Schema SCHEMA = InvocationRequest.getClassSchema();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldSuffixTopicWithKeyOrValueWhenTopicNameStrategy() {
        assertThat(new TopicNameStrategy().subjectName("ferry.invocations", false, SCHEMA))
                .isEqualTo("ferry.invocations-value");
        assertThat(new TopicNameStrategy().subjectName("ferry.invocations", true, SCHEMA))
                .isEqualTo("ferry.invocations-key");
    }

    @Test
    void shouldUseRecordFullNameWhenRecordNameStrategy() {
        assertThat(new RecordNameStrategy().subjectName("any", false, SCHEMA))
                .isEqualTo("dev.ferry.schemas.InvocationRequest");
    }

    @Test
    void shouldJoinTopicAndRecordNameWhenTopicRecordNameStrategy() {
        assertThat(new TopicRecordNameStrategy().subjectName("ferry.invocations", true, SCHEMA))
                .isEqualTo("ferry.invocations-dev.ferry.schemas.InvocationRequest");
    }

    @Test
    void shouldRefuseUnnamedSchemaWhenRecordNameStrategy() {
        assertThatThrownBy(() -> new RecordNameStrategy().subjectName("t", false, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named schema");
    }

    @Test
    void shouldRegisterUnderTopicValueSubjectWhenNotConfigured() {
        new FerryAvroSerializer<InvocationRequest>(registry).serialize("orders", Records.request("echo"));

        assertThat(registry.subjects()).containsExactly("orders-value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RecordNameStrategy", "dev.ferry.schemas.serde.RecordNameStrategy",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy"})
    void shouldAcceptShortFerryAndConfluentNamesWhenConfiguringStrategy(String name) {
        new FerryAvroSerializer<InvocationRequest>(registry,
                Map.of(FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, name), false)
                .serialize("orders", Records.request("echo"));

        assertThat(registry.subjects()).containsExactly("dev.ferry.schemas.InvocationRequest");
    }

    @Test
    void shouldUseKeyStrategyWhenSerializerIsForKeys() {
        new FerryAvroSerializer<InvocationRequest>(registry,
                Map.of(FerryAvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG, "TopicRecordNameStrategy",
                        FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "RecordNameStrategy"), true)
                .serialize("orders", Records.request("echo"));

        assertThat(registry.subjects()).containsExactly("orders-dev.ferry.schemas.InvocationRequest");
    }

    @Test
    void shouldInstantiateUserStrategyWhenGivenItsClass() {
        new FerryAvroSerializer<InvocationRequest>(registry,
                Map.of(FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, UpperCaseStrategy.class), false)
                .serialize("orders", Records.request("echo"));

        assertThat(registry.subjects()).containsExactly("ORDERS");
    }

    @Test
    void shouldNameTheKeyWhenStrategyIsUnknown() {
        FerryAvroSerializer<InvocationRequest> serializer = new FerryAvroSerializer<>(registry);

        assertThatThrownBy(() -> serializer.configure(
                Map.of(FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "NoSuchStrategy"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("value.subject.name.strategy").hasMessageContaining("NoSuchStrategy");
    }

    /** A user's own strategy, loaded by class. */
    public static final class UpperCaseStrategy implements SubjectNameStrategy {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return topic.toUpperCase(java.util.Locale.ROOT);
        }
    }
}
