package dev.ferry.schemas.serde.internal;

import dev.ferry.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes records of one schema under one registry id, in the wire format. Built once per
 * (subject, schema) and shared by all threads: the datum writers are stateless, and the encoder and
 * output buffer are reused per thread.
 */
public final class SchemaWriter {

    /** Buffers that grew past this are dropped after use, so one huge record does not pin memory. */
    private static final int MAX_RETAINED_BUFFER = 1 << 20;
    private static final ThreadLocal<ByteArrayOutputStream> BUFFER =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(256));
    private static final ThreadLocal<BinaryEncoder> ENCODER = new ThreadLocal<>();
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    private final int schemaId;
    private final byte[] header = new byte[WireFormat.HEADER_SIZE];
    private final DatumWriter<Object> ownWriter;
    private final DatumReader<Object> converter;
    private final DatumWriter<Object> targetWriter;

    private SchemaWriter(int schemaId, DatumWriter<Object> ownWriter, DatumReader<Object> converter,
                         DatumWriter<Object> targetWriter) {
        this.schemaId = schemaId;
        this.ownWriter = ownWriter;
        this.converter = converter;
        this.targetWriter = targetWriter;
        WireFormat.writeHeader(header, schemaId);
    }

    /** Writes records with their own schema, registered as {@code schemaId}. */
    public static SchemaWriter direct(int schemaId, Schema schema) {
        return new SchemaWriter(schemaId, new SpecificDatumWriter<>(schema, AvroModels.writerModel(schema)), null, null);
    }

    /**
     * Writes records of {@code recordSchema} as {@code targetSchema} (registered as {@code schemaId}),
     * through Avro schema resolution; the caller has checked that the target can read the record's schema.
     * Writing a record straight with a foreign schema would pick fields by position and corrupt the data.
     */
    public static SchemaWriter converting(int schemaId, Schema recordSchema, Schema targetSchema) {
        return new SchemaWriter(schemaId,
                new SpecificDatumWriter<>(recordSchema, AvroModels.writerModel(recordSchema)),
                new GenericDatumReader<>(recordSchema, targetSchema, GenericData.get()),
                new GenericDatumWriter<>(targetSchema, GenericData.get()));
    }

    public int schemaId() {
        return schemaId;
    }

    public byte[] write(Object datum) throws IOException {
        ByteArrayOutputStream out = BUFFER.get();
        try {
            if (converter == null) {
                out.reset();
                out.write(header);
                encode(ownWriter, datum, out);
                return out.toByteArray();
            }
            out.reset();
            encode(ownWriter, datum, out);
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(out.toByteArray(), DECODER.get());
            DECODER.set(decoder);
            Object converted = converter.read(null, decoder);
            out.reset();
            out.write(header);
            encode(targetWriter, converted, out);
            return out.toByteArray();
        } finally {
            if (out.size() > MAX_RETAINED_BUFFER) {
                BUFFER.remove();
            }
        }
    }

    private static void encode(DatumWriter<Object> writer, Object datum, ByteArrayOutputStream out) throws IOException {
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, ENCODER.get());
        // Only a flushed encoder goes back for reuse: one that failed mid-record still buffers part of
        // it, and reconfiguring would flush that into the next record's output.
        ENCODER.remove();
        writer.write(datum, encoder);
        encoder.flush();
        ENCODER.set(encoder);
    }
}
