package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.testing.InMemorySchemaRegistry;
import dev.ferry.schemas.testing.Records;
import java.util.Arrays;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    private static final int ID = 0x01020304;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(ID);
    private final FerryAvroSerializer<InvocationRequest> serializer = new FerryAvroSerializer<>(registry);
    private final FerryAvroDeserializer<InvocationRequest> deserializer =
            new FerryAvroDeserializer<>(registry, InvocationRequest.class);

    @Test
    void shouldStartWithMagicByteAndBigEndianIdWhenSerialized() {
        byte[] bytes = serializer.serialize("orders", Records.request("echo"));

        assertThat(Arrays.copyOf(bytes, 5)).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
        assertThat(WireFormat.schemaId("orders", bytes)).isEqualTo(ID);
        assertThat(registry.getById(ID)).isEqualTo(InvocationRequest.getClassSchema());
    }

    @Test
    void shouldReadIdsAboveSignedByteRangeWhenHeaderBytesAreNegative() {
        byte[] header = new byte[5];
        WireFormat.writeHeader(header, 0x80FF7F01);

        assertThat(header).containsExactly(0x00, 0x80, 0xFF, 0x7F, 0x01);
        assertThat(WireFormat.schemaId("t", header)).isEqualTo(0x80FF7F01);
    }

    @Test
    void shouldReturnNullWhenDataIsNull() {
        assertThat(serializer.serialize("orders", null)).isNull();
        assertThat(deserializer.deserialize("orders", null)).isNull();
    }

    @Test
    void shouldNameTopicWhenDataIsEmpty() {
        assertThatThrownBy(() -> deserializer.deserialize("orders", new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("orders").hasMessageContaining("0 bytes");
    }

    @Test
    void shouldNameTheByteFoundWhenMagicByteIsUnknown() {
        byte[] json = "{\"tenant\":\"acme\"}".getBytes();

        assertThatThrownBy(() -> deserializer.deserialize("orders", json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte 0x7b").hasMessageContaining("orders");
    }

    @Test
    void shouldReportTruncationWhenTooShortForHeader() {
        assertThatThrownBy(() -> deserializer.deserialize("orders", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated").hasMessageContaining("3 bytes").hasMessageContaining("orders");
    }

    @Test
    void shouldNameTheIdWhenSchemaIdIsUnknown() {
        byte[] bytes = serializer.serialize("orders", Records.request("echo"));
        WireFormat.writeHeader(bytes, 777);

        assertThatThrownBy(() -> deserializer.deserialize("orders", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown schema id 777").hasMessageContaining("orders");
    }

    @Test
    void shouldReportTruncationWhenAvroDataEndsEarly() {
        byte[] bytes = serializer.serialize("orders", Records.request("echo"));
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);

        assertThatThrownBy(() -> deserializer.deserialize("orders", cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated record on topic orders").hasMessageContaining("ends early");
    }

    @Test
    void shouldReportMalformedDataWhenAvroBytesAreGarbage() {
        byte[] bytes = serializer.serialize("orders", Records.request("echo"));
        byte[] garbage = Arrays.copyOf(bytes, bytes.length);
        garbage[5] = 0x01; // a negative zig-zag length for the first string

        assertThatThrownBy(() -> deserializer.deserialize("orders", garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("orders").hasMessageContaining("schema id " + ID);
    }

    @Test
    void shouldRefuseWhenValueIsNotAnAvroRecord() {
        FerryAvroSerializer<Object> any = new FerryAvroSerializer<>(registry);

        assertThatThrownBy(() -> any.serialize("orders", "plain text"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("java.lang.String").hasMessageContaining("orders");
    }

    @Test
    void shouldNameTopicWhenRecordLacksRequiredField() {
        FerryAvroSerializer<GenericRecord> generic = new FerryAvroSerializer<>(registry);
        GenericRecord incomplete = Records.toGeneric(Records.request("echo"));
        incomplete.put("tenant", null);

        assertThatThrownBy(() -> generic.serialize("orders", incomplete))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("orders").hasMessageContaining("InvocationRequest");
    }
}
