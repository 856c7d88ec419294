package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.testing.InMemorySchemaRegistry;
import dev.ferry.schemas.testing.Records;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SerdeBehaviourTest {

    /** The first InvocationRequest: no contentType, key, deadline, attempt or headers yet. */
    static final Schema REQUEST_V1 = SchemaBuilder.record("InvocationRequest").namespace("dev.ferry.schemas")
            .fields()
            .requiredString("invocationId")
            .requiredString("tenant")
            .requiredString("function")
            .requiredBytes("payload")
            .name("submittedAt").type(org.apache.avro.LogicalTypes.timestampMillis()
                    .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .endRecord();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldNotCallRegistryWhenSameSchemaIsSerializedAgain() {
        FerryAvroSerializer<InvocationRequest> serializer = new FerryAvroSerializer<>(registry);
        serializer.serialize("orders", Records.request("echo"));
        int callsAfterFirst = registry.calls();

        for (int i = 0; i < 100; i++) {
            serializer.serialize("orders", Records.request("echo-" + i));
        }

        assertThat(callsAfterFirst).isEqualTo(1);
        assertThat(registry.calls()).isEqualTo(1);
    }

    @Test
    void shouldFetchWriterSchemaOnceWhenManyRecordsShareAnId() {
        FerryAvroSerializer<InvocationRequest> serializer = new FerryAvroSerializer<>(registry);
        FerryAvroDeserializer<InvocationRequest> deserializer =
                new FerryAvroDeserializer<>(registry, InvocationRequest.class);
        byte[] bytes = serializer.serialize("orders", Records.request("echo"));
        int before = registry.calls();

        for (int i = 0; i < 100; i++) {
            deserializer.deserialize("orders", bytes);
        }

        assertThat(registry.calls() - before).isEqualTo(1);
    }

    @Test
    void shouldWriteIntactRecordWhenPreviousWriteOnThisThreadFailedMidway() {
        FerryAvroSerializer<GenericRecord> serializer = new FerryAvroSerializer<>(registry);
        FerryAvroDeserializer<GenericRecord> deserializer = new FerryAvroDeserializer<>(registry);
        GenericRecord broken = Records.toGeneric(Records.request("echo"));
        broken.put("submittedAt", null); // fails after several fields were already encoded
        GenericRecord good = Records.toGeneric(Records.request("echo"));

        assertThatThrownBy(() -> serializer.serialize("orders", broken)).isInstanceOf(SerializationException.class);
        byte[] bytes = serializer.serialize("orders", good);

        assertThat(deserializer.deserialize("orders", bytes)).isEqualTo(good);
    }

    @Test
    void shouldReadOlderRecordIntoNewClassWithDefaultsWhenSchemaEvolved() {
        GenericRecord old = new GenericData.Record(REQUEST_V1);
        old.put("invocationId", "id-1");
        old.put("tenant", "acme");
        old.put("function", "echo");
        old.put("payload", ByteBuffer.wrap(new byte[] {7}));
        old.put("submittedAt", 1_700_000_000_000L);
        byte[] bytes = new FerryAvroSerializer<GenericRecord>(registry).serialize("orders", old);

        InvocationRequest read = new FerryAvroDeserializer<>(registry, InvocationRequest.class)
                .deserialize("orders", bytes);

        assertThat(read.getInvocationId()).isEqualTo("id-1");
        assertThat(read.getSubmittedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(read.getAttempt()).isEqualTo(1);
        assertThat(read.getContentType()).isEqualTo("application/octet-stream");
        assertThat(read.getHeaders()).isEmpty();
        assertThat(read.getKey()).isNull();
    }

    @Test
    void shouldReadNewerRecordAsOlderGenericSchemaWhenReaderSchemaGiven() {
        byte[] bytes = new FerryAvroSerializer<InvocationRequest>(registry).serialize("orders", Records.request("echo"));

        GenericRecord read = new FerryAvroDeserializer<GenericRecord>(registry, REQUEST_V1).deserialize("orders", bytes);

        assertThat(read.getSchema()).isEqualTo(REQUEST_V1);
        assertThat(read.get("function")).hasToString("echo");
        assertThat(read.get("submittedAt")).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void shouldNameBothTypesWhenRecordCannotBeReadAsTheTargetClass() {
        byte[] bytes = new FerryAvroSerializer<>(registry).serialize("mixed", Records.result());
        FerryAvroDeserializer<InvocationRequest> requests = new FerryAvroDeserializer<>(registry, InvocationRequest.class);

        assertThatThrownBy(() -> requests.deserialize("mixed", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("dev.ferry.schemas.InvocationResult")
                .hasMessageContaining("cannot be read as dev.ferry.schemas.InvocationRequest")
                .hasMessageContaining("mixed");
    }

    @Test
    void shouldLookUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
        Map<String, Object> config = Map.of(FerryAvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "false");
        FerryAvroSerializer<InvocationRequest> serializer = new FerryAvroSerializer<>(registry, config, false);

        assertThatThrownBy(() -> serializer.serialize("orders", Records.request("echo")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not registered under subject orders-value")
                .hasMessageContaining("auto.register.schemas");

        int id = registry.register("orders-value", InvocationRequest.getClassSchema());
        assertThat(WireFormat.schemaId("orders", serializer.serialize("orders", Records.request("echo")))).isEqualTo(id);
    }

    @Test
    void shouldWriteWithLatestSchemaWhenUseLatestVersionIsOn() {
        registry.register("orders-value", REQUEST_V1);
        int latest = registry.register("orders-value", InvocationRequest.getClassSchema());
        FerryAvroSerializer<GenericRecord> serializer = new FerryAvroSerializer<>(registry,
                Map.of(FerryAvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true), false);
        GenericRecord old = new GenericData.Record(REQUEST_V1);
        old.put("invocationId", "id-2");
        old.put("tenant", "acme");
        old.put("function", "echo");
        old.put("payload", ByteBuffer.wrap(new byte[0]));
        old.put("submittedAt", 5L);

        byte[] bytes = serializer.serialize("orders", old);

        assertThat(WireFormat.schemaId("orders", bytes)).isEqualTo(latest);
        InvocationRequest read = new FerryAvroDeserializer<>(registry, InvocationRequest.class).deserialize("orders", bytes);
        assertThat(read.getInvocationId()).isEqualTo("id-2");
        assertThat(read.getAttempt()).isEqualTo(1);
    }

    @Test
    void shouldRefuseRecordWhenLatestSchemaCannotReadIt() {
        Schema unrelated = SchemaBuilder.record("InvocationRequest").namespace("dev.ferry.schemas").fields()
                .requiredLong("mandatoryCounter").endRecord();
        registry.register("orders-value", unrelated);
        FerryAvroSerializer<InvocationRequest> serializer = new FerryAvroSerializer<>(registry,
                Map.of(FerryAvroSerdeConfig.USE_LATEST_VERSION_CONFIG, "true"), false);

        assertThatThrownBy(() -> serializer.serialize("orders", Records.request("echo")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("latest schema of subject orders-value")
                .hasMessageContaining("mandatoryCounter");
    }

    @Test
    void shouldReadGeneratedClassesWhenSpecificReaderIsConfigured() {
        byte[] bytes = new FerryAvroSerializer<>(registry).serialize("results", Records.result());
        FerryAvroDeserializer<Object> deserializer = new FerryAvroDeserializer<>(registry);
        deserializer.configure(Map.of(FerryAvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, "true"), false);

        assertThat(deserializer.deserialize("results", bytes)).isInstanceOf(dev.ferry.schemas.InvocationResult.class);
    }

    @Test
    void shouldReadGenericRecordsWhenSpecificReaderIsOff() {
        byte[] bytes = new FerryAvroSerializer<>(registry).serialize("results", Records.result());

        assertThat(new FerryAvroDeserializer<>(registry).deserialize("results", bytes)).isInstanceOf(GenericData.Record.class);
    }

    @Test
    void shouldRoundTripThroughSerdeWhenBuiltForSpecificClass() {
        FerryAvroSerde<dev.ferry.schemas.UsageRecord> serde =
                FerryAvroSerde.forSpecific(dev.ferry.schemas.UsageRecord.class, registry, Map.of(), false);

        byte[] bytes = serde.serializer().serialize("usage", Records.usage());

        assertThat(serde.deserializer().deserialize("usage", bytes)).isEqualTo(Records.usage());
    }

    @Test
    void shouldNameMissingUrlWhenConfiguredWithoutRegistry() {
        assertThatThrownBy(() -> FerryAvroSerde.forGeneric(Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    }

    @Test
    void shouldRejectNonBooleanWhenFlagIsMisspelled() {
        assertThatThrownBy(() -> new FerryAvroSerializer<>(registry,
                Map.of(FerryAvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "yes"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
    }

    /** A recursive schema: each level of a record nested n deep is two bytes (id, then the union's branch). */
    static final Schema NODE = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"namespace\":"
            + "\"test\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"next\","
            + "\"type\":[\"null\",\"Node\"],\"default\":null}]}");

    /** A Node record {@code depth} levels deep in the wire format, written by hand (Avro's encoder recurses too). */
    static byte[] deepNode(int schemaId, int depth) {
        byte[] bytes = new byte[WireFormat.HEADER_SIZE + 2 * depth + 2];
        ByteBuffer.wrap(bytes).put((byte) 0).putInt(schemaId);
        for (int i = WireFormat.HEADER_SIZE; i < bytes.length - 2; i++) {
            bytes[i] = 2; // zig-zag 1: id 1, then branch 1 (another Node)
        }
        bytes[bytes.length - 2] = 2; // the last id
        bytes[bytes.length - 1] = 0; // branch 0: null
        return bytes;
    }

    @Test
    void shouldRaiseASerializationExceptionNotAnErrorWhenARecursiveRecordIsNestedDeeperThanTheStack() {
        int id = registry.register("deep-value", NODE);
        FerryAvroDeserializer<GenericRecord> deserializer = new FerryAvroDeserializer<>(registry);
        // A tester's record (session 11): 200,000 levels overflowed Avro's reader, and the Error ended the dispatcher.
        assertThatThrownBy(() -> deserializer.deserialize("deep", deepNode(id, 200_000)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("stack overflow while decoding")
                .hasMessageContaining("schema id " + id);

        // The thread's decoder is intact: the next record on it reads.
        GenericRecord three = deserializer.deserialize("deep", deepNode(id, 3));
        assertThat(three.toString()).isEqualTo("{\"id\": 1, \"next\": {\"id\": 1, \"next\": {\"id\": 1, "
                + "\"next\": {\"id\": 1, \"next\": null}}}}");
    }

    @Test
    void shouldRaiseASerializationExceptionNotAnErrorWhenADeepFieldTheReaderDoesNotKnowIsSkipped() {
        // The reader schema lacks the recursive field, so Avro skips it, recursively: the dispatcher's case.
        Schema reader = SchemaBuilder.record("Node").namespace("test").fields().requiredInt("id").endRecord();
        int id = registry.register("deep-value", NODE);
        FerryAvroDeserializer<GenericRecord> deserializer = new FerryAvroDeserializer<>(registry, reader);

        assertThatThrownBy(() -> deserializer.deserialize("deep", deepNode(id, 200_000)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("stack overflow while decoding");
        assertThat(deserializer.deserialize("deep", deepNode(id, 3)).get("id")).isEqualTo(1);
    }
}
