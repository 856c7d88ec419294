package dev.ferry.core.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.FerryException;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.registry.SchemaRegistryException;
import dev.ferry.schemas.registry.UnreadableSchemaException;
import dev.ferry.schemas.serde.FerryAvroSerializer;
import dev.ferry.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SourceDecoderTest {

    private static final byte[] NOT_UTF8 = {'a', (byte) 0xc3, '(', 'b'};

    private final SchemaIdsRegistry registry = new SchemaIdsRegistry();

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ConsumerRecord<>("orders", 2, 7L, 1_700_000_000_000L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, new RecordHeaders(),
                Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return record("k".getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPassBytesThroughAndShowThemAsBase64() {
        byte[] raw = {0, 1, (byte) 0xff, 'x'};

        SourceValue value = new SourceDecoder(RecordFormat.BYTES, null).decode(record(raw));

        assertThat(value.payload()).isEqualTo(raw);
        assertThat(value.contentType()).isEqualTo("application/octet-stream");
        assertThat(value.json().textValue()).isEqualTo("AAH/eA==");
    }

    @Test
    void shouldDecodeUtf8TextAsAString() {
        SourceValue value = new SourceDecoder(RecordFormat.STRING, null).decode(record(utf8("grüße, 世界")));

        assertThat(value.payload()).isEqualTo(utf8("grüße, 世界"));
        assertThat(value.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(value.json().textValue()).isEqualTo("grüße, 世界");
    }

    @Test
    void shouldRefuseAStringThatIsNotUtf8NamingTheRecordAndTheByte() {
        assertThatThrownBy(() -> new SourceDecoder(RecordFormat.STRING, null).decode(record(NOT_UTF8)))
                .isInstanceOf(SourceDecodingException.class)
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("orders-2@7")
                .hasMessageContaining("as STRING")
                .hasMessageContaining("not valid UTF-8 at byte 1 of 4");
    }

    @Test
    void shouldParseJsonKeepingTheOriginalBytesAndExactNumbers() throws IOException {
        byte[] raw = utf8("{\"status\": \"paid\", \"amount\": 12.50, \"big\": 123456789012345678901234567890}");

        SourceValue value = new SourceDecoder(RecordFormat.JSON, null).decode(record(raw));

        assertThat(value.payload()).isSameAs(raw);
        assertThat(value.contentType()).isEqualTo("application/json");
        assertThat(value.json().get("status").textValue()).isEqualTo("paid");
        assertThat(value.json().get("amount").decimalValue()).isEqualByComparingTo("12.50");
        ObjectNode document = SourceDecoder.document(record(raw), value);
        assertThat(new ObjectMapper().writeValueAsString(document.get("value")))
                .isEqualTo("{\"status\":\"paid\",\"amount\":12.50,\"big\":123456789012345678901234567890}");
    }

    @Test
    void shouldAcceptAnyJsonValueNotOnlyObjects() {
        SourceDecoder json = new SourceDecoder(RecordFormat.JSON, null);
        assertThat(json.decode(record(utf8(" [1, \"a\"] "))).json().size()).isEqualTo(2);
        assertThat(json.decode(record(utf8("\"text\""))).json().textValue()).isEqualTo("text");
        assertThat(json.decode(record(utf8("null"))).json().isNull()).isTrue();
    }

    @Test
    void shouldRefuseWhatIsNotExactlyOneJsonValue() {
        SourceDecoder json = new SourceDecoder(RecordFormat.JSON, null);
        for (String bad : new String[] {"not json", "{\"a\": 1} trailing", "{\"a\": ", "", "   "}) {
            assertThatThrownBy(() -> json.decode(record(utf8(bad))))
                    .as(bad)
                    .isInstanceOf(SourceDecodingException.class)
                    .hasMessageStartingWith("Cannot decode the value of orders-2@7 as JSON: ");
        }
    }

    @Test
    void shouldSayAValueIsInTheConfluentWireFormatWhenAJsonTriggerCannotReadIt() {
        // What Confluent's JSON Schema serializer writes: magic byte 0, schema id 15, then the JSON text.
        byte[] wire = java.nio.ByteBuffer.allocate(5 + 10).put((byte) 0).putInt(15).put(utf8("{\"a\": \"x\"}"))
                .array();

        assertThatThrownBy(() -> new SourceDecoder(RecordFormat.JSON, null).decode(record(wire)))
                .isInstanceOf(SourceDecodingException.class)
                .hasMessageContaining("Confluent wire format").hasMessageContaining("schema id 15");
        assertThatThrownBy(() -> new SourceDecoder(RecordFormat.JSON, null).decode(record(utf8("not json"))))
                .hasMessageNotContaining("wire format");
    }

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void shouldDecodeANullValueAsAnEmptyPayloadAndJsonNullInEveryFormat(RecordFormat format) {
        SourceValue value = new SourceDecoder(format, registry).decode(record(null));

        assertThat(value.payload()).isEmpty();
        assertThat(value.json()).isEqualTo(NullNode.getInstance());
        assertThat(value.contentType()).isEqualTo(SourceDecoder.contentType(format));
    }

    @Test
    void shouldTurnAnAvroRecordIntoNaturalJsonWithItsWriterSchema() {
        byte[] bytes = new FerryAvroSerializer<GenericRecord>(registry).serialize("orders", AvroSamples.order());

        SourceValue value = new SourceDecoder(RecordFormat.AVRO, registry).decode(record(bytes));

        assertThat(new String(value.payload(), StandardCharsets.UTF_8)).isEqualTo(AvroSamples.ORDER_JSON);
        assertThat(value.contentType()).isEqualTo("application/json");
        assertThat(value.json().toString()).isEqualTo(AvroSamples.ORDER_JSON);
        assertThat(value.json().get("amount").decimalValue()).isEqualByComparingTo("12.50");
    }

    @Test
    void shouldFetchEachWriterSchemaOnceWhateverTheNumberOfRecords() {
        FerryAvroSerializer<GenericRecord> serializer = new FerryAvroSerializer<>(registry);
        byte[] order = serializer.serialize("orders", AvroSamples.order());
        byte[] refund = serializer.serialize("orders", AvroSamples.refund());
        SourceDecoder decoder = new SourceDecoder(RecordFormat.AVRO, registry);

        for (int i = 0; i < 5; i++) {
            decoder.decode(record(order));
            assertThat(decoder.decode(record(refund)).json().toString()).isEqualTo(AvroSamples.REFUND_JSON);
        }

        assertThat(registry.getByIdCalls.get()).isEqualTo(2);
    }

    @Test
    void shouldDecodeAvroValuesWhoseSchemaIsNotARecord() throws IOException {
        Schema text = Schema.create(Schema.Type.STRING);
        Schema numbers = new Schema.Parser().parse("{\"type\": \"map\", \"values\": \"long\"}");
        SourceDecoder decoder = new SourceDecoder(RecordFormat.AVRO, registry);

        JsonNode string = decoder.decode(record(wire(registry.register("s-value", text), text, "hello"))).json();
        JsonNode map = decoder.decode(record(wire(registry.register("m-value", numbers), numbers,
                java.util.Map.of("b", 2L, "a", 1L)))).json();

        assertThat(string.textValue()).isEqualTo("hello");
        assertThat(map.toString()).isEqualTo("{\"a\":1,\"b\":2}");
    }

    @Test
    void shouldRefuseAvroThatIsNotInTheWireFormatOrHasAnUnknownSchema() {
        SourceDecoder decoder = new SourceDecoder(RecordFormat.AVRO, registry);

        assertThatThrownBy(() -> decoder.decode(record(utf8("{\"a\": 1}"))))
                .isInstanceOf(SourceDecodingException.class)
                .hasMessageContaining("orders-2@7 as AVRO")
                .hasMessageContaining("Unknown magic byte 0x7b");
        assertThatThrownBy(() -> decoder.decode(record(new byte[] {0, 0, 0, 0x30, 0x39, 2})))
                .isInstanceOf(SourceDecodingException.class)
                .hasMessageContaining("Unknown schema id 12345");
        byte[] truncated = new FerryAvroSerializer<GenericRecord>(registry).serialize("orders", AvroSamples.refund());
        assertThatThrownBy(() -> decoder.decode(record(java.util.Arrays.copyOf(truncated, truncated.length - 2))))
                .isInstanceOf(SourceDecodingException.class)
                .hasMessageContaining("orders-2@7 as AVRO");
    }

    @Test
    void shouldSayRetriableWhenTheRegistryFailsButNotWhenTheRecordIsBad() {
        byte[] bytes = new FerryAvroSerializer<GenericRecord>(registry).serialize("orders", AvroSamples.refund());
        registry.failWith(new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                SchemaRegistryException.NO_RESPONSE, "Connection refused"));
        SourceDecoder decoder = new SourceDecoder(RecordFormat.AVRO, registry);

        assertThatThrownBy(() -> decoder.decode(record(bytes)))
                .isInstanceOfSatisfying(SourceDecodingException.class, e -> assertThat(e.retriable()).isTrue())
                .hasMessageContaining("Connection refused");

        registry.failWith(null);
        assertThat(decoder.decode(record(bytes)).json().toString()).isEqualTo(AvroSamples.REFUND_JSON);
        assertThatThrownBy(() -> decoder.decode(record(new byte[] {0, 0, 0, 0x30, 0x39, 2})))
                .isInstanceOfSatisfying(SourceDecodingException.class, e -> assertThat(e.retriable()).isFalse());
        assertThatThrownBy(() -> decoder.decode(record(utf8("{}"))))
                .isInstanceOfSatisfying(SourceDecodingException.class, e -> assertThat(e.retriable()).isFalse());
    }

    @Test
    void shouldTakeASchemaTheRegistryGivesButFerryCannotReadForTheRecordsFault() {
        byte[] bytes = new FerryAvroSerializer<GenericRecord>(registry).serialize("orders", AvroSamples.refund());
        // What the registry client throws for a JSON Schema's or a Protobuf schema's id (tester, session 14).
        registry.failWith(new UnreadableSchemaException("The schema of schema id 1001 is JSON, not AVRO; Ferry "
                + "reads Avro only"));
        SourceDecoder decoder = new SourceDecoder(RecordFormat.AVRO, registry);

        assertThatThrownBy(() -> decoder.decode(record(bytes)))
                .isInstanceOfSatisfying(SourceDecodingException.class, e -> assertThat(e.retriable())
                        .as("onFailure at once, never a wait for a registry that answered").isFalse())
                .hasMessageContaining("is JSON, not AVRO").hasMessageNotContaining("retry");
    }

    @Test
    void shouldRefuseAvroWithoutARegistry() {
        assertThatThrownBy(() -> new SourceDecoder(RecordFormat.AVRO, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema registry");
    }

    @Test
    void shouldBuildTheRecordDocumentThatFiltersMatchAndBatchesCarry() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("source", utf8("checkout"));
        headers.add("trace", new byte[] {(byte) 0xff, 0});
        headers.add("empty", null);
        headers.add("source", utf8("retry"));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("orders", 2, 7L, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, 2, 2, utf8("eu"), utf8("{}"), headers, Optional.empty());
        SourceValue value = new SourceDecoder(RecordFormat.JSON, null).decode(record);

        ObjectNode document = SourceDecoder.document(record, value);

        assertThat(document.toString()).isEqualTo("{\"topic\":\"orders\",\"partition\":2,\"offset\":7,"
                + "\"timestamp\":1700000000000,\"key\":\"eu\",\"value\":{},"
                + "\"headers\":{\"source\":\"retry\",\"trace\":\"/wA=\",\"empty\":null}}");
        assertThat(EventPattern.parse("{\"key\": [{\"prefix\": \"e\"}], \"headers\": {\"source\": [\"retry\"]}}")
                .matches(document)).isTrue();
    }

    @Test
    void shouldGiveTheKeyAsUtf8OrBase64OrNull() {
        assertThat(SourceDecoder.keyText(utf8("eu-1001"))).isEqualTo("eu-1001");
        assertThat(SourceDecoder.keyText(NOT_UTF8)).isEqualTo("YcMoYg==");
        assertThat(SourceDecoder.keyText(new byte[0])).isEmpty();
        assertThat(SourceDecoder.keyText(null)).isNull();
        ConsumerRecord<byte[], byte[]> keyless = record(null, utf8("x"));
        assertThat(SourceDecoder.document(keyless, new SourceDecoder(RecordFormat.STRING, null).decode(keyless))
                .get("key").isNull()).isTrue();
    }

    private static byte[] wire(int id, Schema schema, Object datum) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, id);
        out.write(header);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(schema).write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void shouldFailTheRecordNotTheThreadWhenAnAvroValueIsNestedDeeperThanTheStack() {
        Schema node = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
                + "{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
        int id = registry.register("orders-value", node);
        int depth = 100_000; // a tester's record (session 11) that ended a trigger's replica with a StackOverflowError
        byte[] deep = new byte[WireFormat.HEADER_SIZE + 2 * depth + 2];
        ByteBuffer.wrap(deep).put((byte) 0).putInt(id);
        Arrays.fill(deep, WireFormat.HEADER_SIZE, deep.length - 1, (byte) 2); // id 1, branch 1; last id 1
        SourceDecoder avro = new SourceDecoder(RecordFormat.AVRO, registry);

        assertThatThrownBy(() -> avro.decode(record(deep)))
                .isInstanceOf(SourceDecodingException.class)
                .hasMessageContaining("orders-2@7")
                .hasMessageContaining("stack overflow while decoding")
                .satisfies(e -> assertThat(((SourceDecodingException) e).retriable()).isFalse());
    }

    @Test
    void shouldFailTheRecordNotTheThreadWhenAJsonValueIsNestedDeeperThanJacksonAllows() {
        int depth = 100_000;
        byte[] arrays = utf8("[".repeat(depth) + "]".repeat(depth));
        byte[] objects = utf8("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
        SourceDecoder json = new SourceDecoder(RecordFormat.JSON, null);

        // Jackson's StreamReadConstraints (maxNestingDepth, 1,000 by default in the 2.21 Ferry uses) stop the check.
        for (byte[] value : new byte[][] {arrays, objects}) {
            assertThatThrownBy(() -> json.decode(record(value)))
                    .isInstanceOf(SourceDecodingException.class)
                    .hasMessageStartingWith("Cannot decode the value of orders-2@7 as JSON: ")
                    .hasMessageContaining("nesting depth");
        }
    }
}
