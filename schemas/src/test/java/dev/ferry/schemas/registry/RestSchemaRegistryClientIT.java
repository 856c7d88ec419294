package dev.ferry.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.serde.FerryAvroSerde;
import dev.ferry.schemas.testing.CountingProxy;
import dev.ferry.schemas.testing.Records;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(60)
class RestSchemaRegistryClientIT {

    private static final Schema V1 = SchemaBuilder.record("Order").namespace("it.ferry").fields()
            .requiredString("id").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Order").namespace("it.ferry").fields()
            .requiredString("id").name("qty").type().intType().intDefault(1).endRecord();
    /** Adds a field without a default: old records cannot be read with it, so BACKWARD refuses it. */
    private static final Schema BREAKING = SchemaBuilder.record("Order").namespace("it.ferry").fields()
            .requiredString("id").requiredLong("mandatory").endRecord();

    private final String subject = "orders-" + UUID.randomUUID() + "-value";

    @Test
    void shouldServeEveryCallWhenTalkingToTheRealRegistry(KafkaFixture kafka) {
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(
                Map.of("schema.registry.url", kafka.schemaRegistryUrl()));

        int id1 = client.register(subject, V1);
        int id2 = client.register(subject, V2);

        assertThat(client.register(subject, V1)).isEqualTo(id1);
        assertThat(client.lookup(subject, V2)).isEqualTo(new RegisteredSchema(subject, 2, id2, V2));
        assertThat(client.getById(id1)).isEqualTo(V1);
        assertThat(client.subjects()).contains(subject);
        assertThat(client.versions(subject)).containsExactly(1, 2);
        assertThat(client.getVersion(subject, 1)).isEqualTo(new RegisteredSchema(subject, 1, id1, V1));
        assertThat(client.getLatest(subject).id()).isEqualTo(id2);

        assertThat(client.deleteVersion(subject, 2)).isEqualTo(2);
        assertThat(client.versions(subject)).containsExactly(1);
        assertThat(client.deleteSubject(subject)).containsExactly(1);
        assertThat(client.subjects()).doesNotContain(subject);
    }

    @Test
    void shouldEnforceSubjectCompatibilityWhenLevelIsSet(KafkaFixture kafka) {
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(
                Map.of("schema.registry.url", kafka.schemaRegistryUrl()));
        client.register(subject, V1);

        client.setCompatibility(subject, CompatibilityLevel.BACKWARD);

        assertThat(client.getCompatibility(subject)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.getCompatibility(null)).isNotNull();
        assertThat(client.testCompatibility(subject, SchemaRegistryClient.LATEST, V2)).isTrue();
        assertThat(client.testCompatibility(subject, "1", BREAKING)).isFalse();
        assertThatThrownBy(() -> client.register(subject, BREAKING))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.status()).isEqualTo(409));

        client.setCompatibility(subject, CompatibilityLevel.NONE);
        assertThat(client.register(subject, BREAKING)).isPositive();
    }

    @Test
    void shouldMapNotFoundCodesWhenSubjectOrSchemaIsMissing(KafkaFixture kafka) {
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(
                Map.of("schema.registry.url", kafka.schemaRegistryUrl()));

        assertThatThrownBy(() -> client.versions(subject))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
                });
        client.register(subject, V1);
        assertThatThrownBy(() -> client.lookup(subject, V2))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThatThrownBy(() -> client.getById(Integer.MAX_VALUE))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void shouldFailOverToRealRegistryWhenFirstUrlIsClosed(KafkaFixture kafka) throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url",
                "http://localhost:" + closedPort + "," + kafka.schemaRegistryUrl()));

        int id = client.register(subject, V1);

        assertThat(client.getById(id)).isEqualTo(V1);
        assertThat(client.currentUrl()).isEqualTo(URI.create(kafka.schemaRegistryUrl()));
    }

    @Test
    void shouldMakeNoHttpCallWhenSerializingAndReadingTheSameSchemaAgain(KafkaFixture kafka) {
        try (CountingProxy proxy = new CountingProxy(kafka.schemaRegistryUrl())) {
            FerryAvroSerde<InvocationRequest> serde = FerryAvroSerde.forSpecific(InvocationRequest.class,
                    Map.of("schema.registry.url", proxy.url()), false);
            String topic = "cache-" + UUID.randomUUID();

            byte[] first = serde.serializer().serialize(topic, Records.request("echo"));
            serde.deserializer().deserialize(topic, first);
            int afterFirst = proxy.requests();
            for (int i = 0; i < 50; i++) {
                serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, Records.request("e" + i)));
            }

            assertThat(afterFirst).isEqualTo(1); // one registration: its answer also fills the id cache
            assertThat(proxy.requests()).isEqualTo(afterFirst);
        }
    }
}
