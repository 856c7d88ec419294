package dev.ferry.schemas.serde.internal;

import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import dev.ferry.schemas.registry.UnreadableSchemaException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One resolving {@link DatumReader} per writer schema id: the writer schema comes from the registry
 * (once), the reader schema from the target class, a given schema, or the writer itself. Resolution
 * is what lets a record written with an older schema be read into a newer class.
 */
public final class ReaderResolver {

    private final SchemaRegistryClient registry;
    private final Class<?> specificClass;
    private final Schema readerSchema;
    private final boolean specificReader;
    private final ConcurrentMap<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    /**
     * @param specificClass the generated class to read into, or null
     * @param readerSchema the schema to read generic records as, or null for the writer's own
     * @param specificReader without a class: read into the generated class named by the writer schema
     */
    public ReaderResolver(SchemaRegistryClient registry, Class<?> specificClass, Schema readerSchema,
                          boolean specificReader) {
        this.registry = registry;
        this.specificClass = specificClass;
        this.readerSchema = readerSchema;
        this.specificReader = specificReader || specificClass != null;
    }

    public DatumReader<Object> readerFor(String topic, int schemaId) {
        DatumReader<Object> reader = readers.get(schemaId);
        if (reader == null) {
            reader = create(topic, schemaId, writerSchema(topic, schemaId));
            DatumReader<Object> raced = readers.putIfAbsent(schemaId, reader);
            reader = raced != null ? raced : reader;
        }
        return reader;
    }

    private Schema writerSchema(String topic, int schemaId) {
        try {
            return registry.getById(schemaId);
        } catch (SchemaRegistryException e) {
            // A 404 that is not the registry's own (a wrong URL) is the registry unavailable, not the schema unknown.
            if (!e.unavailable()
                    && (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND || e.isNotFound())) {
                throw new SerializationException("Unknown schema id " + schemaId + " in a record on topic " + topic
                        + ": the schema registry has no such schema (" + e.getMessage() + ")", e);
            }
            if (e instanceof UnreadableSchemaException) {
                throw new SerializationException("Schema id " + schemaId + " of a record on topic " + topic
                        + " is not one Ferry can read: " + e.getMessage(), e);
            }
            throw new SerializationException("Cannot fetch schema id " + schemaId + " for a record on topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    private DatumReader<Object> create(String topic, int schemaId, Schema writer) {
        try {
            if (!specificReader) {
                Schema reader = readerSchema != null ? readerSchema : writer;
                requireReadable(topic, schemaId, writer, reader);
                return new GenericDatumReader<>(writer, reader, GenericData.get());
            }
            Class<?> type = specificClass != null ? specificClass : SpecificData.get().getClass(writer);
            if (type == null) {
                throw new SerializationException("No generated class for " + writer.getFullName() + " (schema id "
                        + schemaId + ", topic " + topic + ") on the classpath; specific.avro.reader is true");
            }
            SpecificData model = SpecificData.getForClass(type);
            Schema reader = model.getSchema(type);
            requireReadable(topic, schemaId, writer, reader);
            return new SpecificDatumReader<>(writer, reader, model);
        } catch (AvroRuntimeException e) {
            throw new SerializationException("Cannot read schema id " + schemaId + " (" + writer.getFullName()
                    + ") on topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checked once per writer id, so a record of another type or an incompatible version fails with
     * what does not match instead of an obscure decoding error on every record.
     */
    private static void requireReadable(String topic, int schemaId, Schema writer, Schema reader) {
        if (writer == reader) {
            return;
        }
        SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("Records of schema id " + schemaId + " (" + writer.getFullName()
                    + ") on topic " + topic + " cannot be read as " + reader.getFullName() + ": "
                    + check.getResult().getIncompatibilities());
        }
    }
}
