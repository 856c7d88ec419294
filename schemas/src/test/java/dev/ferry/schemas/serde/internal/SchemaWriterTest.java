package dev.ferry.schemas.serde.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.serde.WireFormat;
import dev.ferry.schemas.testing.Records;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The thread's reused array and encoder (issue 16): every write comes out as the header and plain Avro, exactly. */
class SchemaWriterTest {

    private static final Schema BLOB = SchemaBuilder.record("Blob").namespace("test").fields()
            .requiredString("name").requiredBytes("data").endRecord();

    @Test
    void shouldWriteTheHeaderThenPlainAvroWhenRecordsOfDifferentSizesFollowEachOther() throws IOException {
        SchemaWriter writer = SchemaWriter.direct(70_000, InvocationRequest.getClassSchema());
        InvocationRequest large = Records.request("a-function-with-a-long-name-" + "x".repeat(500));
        InvocationRequest small = Records.request("f");

        byte[] first = writer.write(large);
        byte[] second = writer.write(small); // shorter: nothing of the first may be left at its end

        assertThat(first).isEqualTo(expected(70_000, large));
        assertThat(second).isEqualTo(expected(70_000, small));
    }

    @Test
    void shouldWriteEachRecordWithItsOwnIdWhenTwoWritersShareTheThread() throws IOException {
        SchemaWriter one = SchemaWriter.direct(1, InvocationRequest.getClassSchema());
        SchemaWriter other = SchemaWriter.direct(258, InvocationRequest.getClassSchema());
        InvocationRequest request = Records.request("echo");

        assertThat(WireFormat.schemaId("t", one.write(request))).isEqualTo(1);
        assertThat(WireFormat.schemaId("t", other.write(request))).isEqualTo(258);
        assertThat(one.write(request)).isEqualTo(expected(1, request));
    }

    @Test
    void shouldDropTheThreadsArrayAfterARecordOverOneMebibyteButKeepASmallerOne() throws IOException {
        SchemaWriter writer = SchemaWriter.direct(3, BLOB);
        GenericRecord medium = blob(600 * 1024);
        GenericRecord huge = blob(SchemaWriter.MAX_RETAINED_BUFFER + 1024);

        assertThat(writer.write(medium)).isEqualTo(expected(3, medium));
        assertThat(SchemaWriter.retainedCapacity()).isGreaterThan(600 * 1024);
        assertThat(writer.write(huge)).isEqualTo(expected(3, huge));
        assertThat(SchemaWriter.retainedCapacity()).isLessThan(1024);
        assertThat(writer.write(medium)).isEqualTo(expected(3, medium));
    }

    @Test
    void shouldWriteTheTargetSchemasEncodingWhenConvertingAndThenADirectWriteIntact() throws IOException {
        Schema older = SchemaBuilder.record("Blob").namespace("test").fields().requiredString("name").endRecord();
        Schema newer = SchemaBuilder.record("Blob").namespace("test").fields().requiredString("name")
                .name("size").type().intType().intDefault(42).endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("name", "n");
        GenericRecord converted = new GenericData.Record(newer);
        converted.put("name", "n");
        converted.put("size", 42);
        SchemaWriter converting = SchemaWriter.converting(9, older, newer);
        SchemaWriter direct = SchemaWriter.direct(3, BLOB);
        GenericRecord blob = blob(3000);

        assertThat(converting.write(record)).isEqualTo(expected(9, converted));
        assertThat(direct.write(blob)).isEqualTo(expected(3, blob));
        assertThat(converting.write(record)).isEqualTo(expected(9, converted));
    }

    private static GenericRecord blob(int size) {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) 'b');
        data[size - 1] = 'e';
        GenericRecord record = new GenericData.Record(BLOB);
        record.put("name", "blob-" + size);
        record.put("data", ByteBuffer.wrap(data));
        return record;
    }

    /** The wire format written by hand: the header, then the record through plain Avro. */
    private static byte[] expected(int schemaId, Object record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, schemaId);
        out.write(header);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        if (record instanceof InvocationRequest request) {
            request.getPayload().rewind();
            new SpecificDatumWriter<InvocationRequest>(InvocationRequest.getClassSchema()).write(request, encoder);
            request.getPayload().rewind();
        } else {
            GenericRecord generic = (GenericRecord) record;
            new GenericDatumWriter<GenericRecord>(generic.getSchema()).write(generic, encoder);
        }
        encoder.flush();
        return out.toByteArray();
    }
}
