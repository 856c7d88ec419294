package dev.ferry.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.serde.FerryAvroDeserializer;
import dev.ferry.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ferry's registry client and deserializer with Confluent schema references (issue 12), against the embedded
 * registry over HTTP: registering with references sends the referenced type by name, and a writer schema fetched
 * by id is parsed with its references resolved, so records written with it decode.
 */
@FerryKafkaTest
@Timeout(60)
class SchemaReferencesIT {

    private static final String C_TEXT = "{\"type\":\"record\",\"name\":\"C\",\"namespace\":\"refs.it\",\"fields\":["
            + "{\"name\":\"c\",\"type\":\"string\"}]}";
    private static final String A_TEXT = "{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"refs.it\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"refs.it.C\"},{\"name\":\"n\",\"type\":\"int\"}]}";

    private final String run = UUID.randomUUID().toString();
    private final String cSubject = "c-" + run + "-value";
    private final String aSubject = "a-" + run + "-value";
    private Schema c;
    private Schema a;
    private RestSchemaRegistryClient client;
    private String url;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        url = kafka.schemaRegistryUrl();
        client = RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", url));
        Schema.Parser parser = new Schema.Parser();
        c = parser.parse(C_TEXT);
        a = parser.parse(A_TEXT);
    }

    @Test
    void shouldRegisterWithReferencesAndReadTheResolvedSchemaBack() throws Exception {
        client.register(cSubject, c);
        List<SchemaReference> refs = List.of(new SchemaReference("refs.it.C", cSubject, 1));

        int id = client.register(aSubject, a, refs);

        String stored = get("/schemas/ids/" + id);
        assertThat(stored).as("C is named, not inlined").doesNotContain("\\\"name\\\":\\\"c\\\"")
                .contains("\"references\":[{\"name\":\"refs.it.C\",\"subject\":\"" + cSubject + "\",\"version\":1}]");
        RestSchemaRegistryClient fresh = RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", url));
        assertThat(fresh.getById(id)).isEqualTo(a);
        assertThat(fresh.getVersion(aSubject, 1)).isEqualTo(new RegisteredSchema(aSubject, 1, id, a, refs));
        assertThat(fresh.lookup(aSubject, a, refs).id()).isEqualTo(id);
        assertThat(fresh.referencedBy(cSubject, 1)).containsExactly(id);
    }

    @Test
    void shouldRefuseToDeleteAReferencedVersionWith42206() {
        client.register(cSubject, c);
        client.register(aSubject, a, List.of(new SchemaReference("refs.it.C", cSubject, 1)));

        assertThatThrownBy(() -> client.deleteVersion(cSubject, 1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.errorCode()).isEqualTo(42206);
                });
        assertThat(client.versions(cSubject)).containsExactly(1);
    }

    @Test
    void shouldDecodeARecordWhoseWriterSchemaHasReferences() throws IOException {
        client.register(cSubject, c);
        int id = client.register(aSubject, a, List.of(new SchemaReference("refs.it.C", cSubject, 1)));
        GenericRecord inner = new GenericData.Record(c);
        inner.put("c", "deep");
        GenericRecord outer = new GenericData.Record(a);
        outer.put("a", inner);
        outer.put("n", 7);
        RestSchemaRegistryClient reader = RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", url));

        try (FerryAvroDeserializer<GenericRecord> deserializer = new FerryAvroDeserializer<>(reader)) {
            GenericRecord read = deserializer.deserialize("t", confluentBytes(id, outer));

            assertThat(((GenericRecord) read.get("a")).get("c").toString()).isEqualTo("deep");
            assertThat(read.get("n")).isEqualTo(7);
        }
    }

    /** The Confluent wire format, written by hand as any other client would. */
    private static byte[] confluentBytes(int id, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, id);
        out.write(header);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
