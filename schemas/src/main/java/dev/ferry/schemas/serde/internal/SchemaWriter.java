package dev.ferry.schemas.serde.internal;

import dev.ferry.schemas.serde.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
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
 * (subject, schema) and shared by all threads: the datum writers are stateless, and each thread
 * keeps one {@link Scratch} (output array, encoder, decoder) that all its writes reuse.
 *
 * <p>Shape of a write (issue 16, {@code serde-throughput}): one thread-local read, the header put
 * straight into the thread's array, Avro's encoder writing into that array (it stays attached to it,
 * so it is not set up again per record), and one copy out at the exact size. An earlier version took
 * the encoder out of its thread-local and put it back around every write (a new map entry, a weak
 * reference made and cleared per record), wrote through a {@code ByteArrayOutputStream}, whose
 * every call takes a lock, and set the encoder up again per record (Avro wraps the stream in a new
 * channel each time). In the profile of {@code serde-throughput} the thread-local juggling was 6 % of
 * Ferry's round trip and the stream and encoder set-up about 11 %.
 *
 * <p>The size rule now looks at the array's capacity, not the last record's length: an array that
 * grew past {@link #MAX_RETAINED_BUFFER} is dropped even if the record that ends with it was smaller.
 */
public final class SchemaWriter {

    /** Arrays that grew past this are dropped after use, so one huge record does not pin memory. */
    static final int MAX_RETAINED_BUFFER = 1 << 20;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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
        Scratch scratch = SCRATCH.get();
        try {
            if (converter == null) {
                scratch.startWith(header);
                encode(ownWriter, datum, scratch);
                return scratch.toByteArray();
            }
            scratch.startWith(null);
            encode(ownWriter, datum, scratch);
            // The reader copies what it keeps (strings, bytes, fixed), so the array can be written over next.
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(scratch.buf, 0, scratch.count, scratch.decoder);
            scratch.decoder = decoder;
            Object converted = converter.read(null, decoder);
            scratch.startWith(header);
            encode(targetWriter, converted, scratch);
            return scratch.toByteArray();
        } finally {
            if (scratch.buf.length > MAX_RETAINED_BUFFER) {
                SCRATCH.remove();
            }
        }
    }

    private static void encode(DatumWriter<Object> writer, Object datum, Scratch scratch) throws IOException {
        BinaryEncoder encoder = scratch.encoder;
        if (encoder == null) {
            encoder = EncoderFactory.get().binaryEncoder(scratch, null);
        }
        // Only a flushed encoder is kept for reuse: one that failed mid-record still buffers part of
        // it, and its next flush would put that into the next record's output.
        scratch.encoder = null;
        writer.write(datum, encoder);
        encoder.flush();
        scratch.encoder = encoder;
    }

    /** The array a thread's writes last used (for tests of the size rule); a new thread's is small. */
    static int retainedCapacity() {
        return SCRATCH.get().buf.length;
    }

    /**
     * One thread's reusable state: a growing byte array that the encoder writes into (an unsynchronized
     * stream, as only its thread touches it), the encoder attached to it, and a decoder for converting writes.
     */
    private static final class Scratch extends OutputStream {

        byte[] buf = new byte[256];
        int count;
        /** Null until the first write, and after a write that failed. */
        BinaryEncoder encoder;
        BinaryDecoder decoder;

        /** Empties the array and puts {@code header} (when not null) at its start. */
        void startWith(byte[] header) {
            if (header == null) {
                count = 0;
                return;
            }
            System.arraycopy(header, 0, buf, 0, header.length);
            count = header.length;
        }

        @Override
        public void write(int b) {
            ensureCapacity(count + 1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            ensureCapacity(count + length);
            System.arraycopy(bytes, offset, buf, count, length);
            count += length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }

        private void ensureCapacity(int needed) {
            if (needed < 0) {
                throw new OutOfMemoryError("Record larger than a Java array can hold");
            }
            if (needed > buf.length) {
                int doubled = buf.length << 1;
                buf = Arrays.copyOf(buf, doubled > needed ? doubled : needed);
            }
        }
    }
}
