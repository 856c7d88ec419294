package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.registry.CompatibilityLevel;
import dev.ferry.schemas.registry.IncompatibleSchemaException;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The subject of {@code ferry.invocations}, which producers outside Ferry write and the dispatcher reads, refuses
 * the request schemas the dispatcher could not read (tester 14A, finding 2: under the registry's default BACKWARD a
 * request schema without {@code tenant} registered, and every call written with it was dead-lettered).
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class InvocationSubjectIT {

    @Test
    void shouldRefuseARequestSchemaTheDispatcherCannotReadOnceADispatcherStarted(KafkaFixture kafka)
            throws Exception {
        try (Harness h = new Harness(kafka)) {
            h.dispatcher().start();
            SchemaRegistryClient registry = h.serdes.registry();
            String subject = h.topics.invocations() + "-value";
            Schema ferrys = InvocationRequest.getClassSchema();

            assertThat(registry.getSubjectCompatibility(subject)).contains(CompatibilityLevel.FULL_TRANSITIVE);
            // The dispatcher's reader schema is registered there, so every later version is checked against it.
            assertThat(registry.lookup(subject, ferrys).id()).isPositive();

            assertThatThrownBy(() -> registry.register(subject, without(ferrys, "tenant")))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .extracting(e -> ((SchemaRegistryException) e).status()).isEqualTo(409);
            // Ferry's own evolution, an optional field with a default, still registers.
            int evolved = registry.register(subject, with(ferrys, new Schema.Field("priority",
                    Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.INT)), null,
                    Schema.Field.NULL_DEFAULT_VALUE)));
            assertThat(evolved).isPositive();
        }
    }

    @Test
    void shouldKeepALevelAnOperatorSetOnTheSubject(KafkaFixture kafka) throws Exception {
        try (Harness h = new Harness(kafka)) {
            SchemaRegistryClient registry = h.serdes.registry();
            String subject = h.topics.invocations() + "-value";
            registry.setCompatibility(subject, CompatibilityLevel.NONE);

            h.dispatcher().start();

            assertThat(registry.getSubjectCompatibility(subject)).isEqualTo(Optional.of(CompatibilityLevel.NONE));
            assertThat(AvroSerdes.INPUT_COMPATIBILITY).isNotEqualTo(CompatibilityLevel.NONE);
        }
    }

    private static Schema without(Schema schema, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static Schema with(Schema schema, Schema.Field extra) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(extra);
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }
}
