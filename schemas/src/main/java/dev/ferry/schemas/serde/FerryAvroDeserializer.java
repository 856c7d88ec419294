package dev.ferry.schemas.serde;

import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.serde.internal.ReaderResolver;
import dev.ferry.schemas.serde.internal.SerdeSettings;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.annotation.InterfaceStability;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in the Confluent wire format: fetches the writer schema by id (once per id) and
 * resolves it against the reader schema, so records written with an older or newer compatible
 * schema still read.
 *
 * <p>What it reads into: the given generated class; else, with {@code specific.avro.reader=true},
 * the generated class named by the writer schema; else {@code GenericRecord}s, in the given reader
 * schema or the writer's. Null reads as null. Bytes that are not a valid record raise a
 * {@link SerializationException} naming the topic and what is wrong; the consumer wraps it with the
 * partition and offset. Thread-safe.
 *
 * @param <T> the record type
 */
@InterfaceStability.Evolving
public class FerryAvroDeserializer<T> implements Deserializer<T> {

    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    private SchemaRegistryClient registry;
    private final Class<T> specificClass;
    private final Schema readerSchema;
    private volatile ReaderResolver readers;

    /** For Kafka to instantiate by class name; {@link #configure} must follow. */
    public FerryAvroDeserializer() {
        this(null, null, null);
    }

    /** Shares {@code registry}; reads generic records unless configured with {@code specific.avro.reader}. */
    public FerryAvroDeserializer(SchemaRegistryClient registry) {
        this(registry, null, null);
    }

    /** Reads into {@code specificClass}, whatever compatible schema the record was written with. */
    public FerryAvroDeserializer(SchemaRegistryClient registry, Class<T> specificClass) {
        this(registry, requireSpecific(specificClass), null);
    }

    /** Reads generic records as {@code readerSchema}, resolving each writer schema against it. */
    public FerryAvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this(registry, null, readerSchema);
    }

    private FerryAvroDeserializer(SchemaRegistryClient registry, Class<T> specificClass, Schema readerSchema) {
        this.registry = registry;
        this.specificClass = specificClass;
        this.readerSchema = readerSchema;
        if (registry != null) {
            this.readers = new ReaderResolver(registry, specificClass, readerSchema, false);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(configs, isKey, null);
    }

    /** Configures, taking {@code shared} as the registry client when none was given at construction. */
    void configure(Map<String, ?> configs, boolean isKey, SchemaRegistryClient shared) {
        SerdeSettings settings = SerdeSettings.from(configs, isKey);
        if (registry == null) {
            registry = shared != null ? shared : SerdeSettings.clientFrom(configs);
        }
        readers = new ReaderResolver(registry, specificClass, readerSchema, settings.specificReader());
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        ReaderResolver resolver = readers;
        if (resolver == null) {
            throw new IllegalStateException("FerryAvroDeserializer used before configure() and without a registry client");
        }
        int schemaId = WireFormat.schemaId(topic, data);
        DatumReader<Object> reader = resolver.readerFor(topic, schemaId);
        BinaryDecoder reuse = DECODER.get();
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, reuse);
        if (decoder != reuse) { // the thread's first record: later ones reconfigure this decoder in place
            DECODER.set(decoder);
        }
        try {
            return (T) reader.read(null, decoder);
        } catch (EOFException e) {
            throw new SerializationException("Truncated record on topic " + topic + " (schema id " + schemaId
                    + "): the Avro data ends early, after " + (data.length - WireFormat.HEADER_SIZE) + " bytes", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Malformed Avro data on topic " + topic + " (schema id " + schemaId
                    + ", " + data.length + " bytes): " + e, e);
        } catch (StackOverflowError e) {
            throw nestedTooDeep(topic, schemaId, data.length);
        }
    }

    /**
     * A record of a recursive writer schema nested deeper than the thread's stack holds (each level of a recursive
     * union is one byte, so 200 kB of data is 200,000 levels): Avro's reader and its skip recurse per level and
     * overflow. The overflow is caught here, at the one boundary where Ferry decodes Avro, and becomes this
     * record's {@link SerializationException}, so the caller's path for an undecodable record takes it (dead
     * letter, onFailure, skip and count) instead of an {@link Error} ending the caller's thread. The reader keeps
     * no state between records (the decoder is re-initialised per record), so nothing is left half-updated.
     */
    static SerializationException nestedTooDeep(String topic, int schemaId, int bytes) {
        // Not the cause: its trace is a thousand identical frames in every log line and dead letter.
        return new SerializationException("Avro data on topic " + topic + " (schema id "
                + schemaId + ", " + bytes + " bytes) is nested deeper than this reader's stack allows: stack "
                + "overflow while decoding; a recursive schema nested this deep is refused as malformed");
    }

    private static <T> Class<T> requireSpecific(Class<T> type) {
        if (type == null || !SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("Not a generated Avro class: " + type);
        }
        return type;
    }
}
