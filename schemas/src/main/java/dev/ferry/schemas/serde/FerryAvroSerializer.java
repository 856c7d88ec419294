package dev.ferry.schemas.serde;

import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.serde.internal.SerdeSettings;
import dev.ferry.schemas.serde.internal.WriterResolver;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.annotation.InterfaceStability;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated classes or {@code GenericRecord}s) in the Confluent wire format,
 * registering or looking up their schema once per (subject, schema).
 *
 * <p>Configured like Confluent's {@code KafkaAvroSerializer} (see {@link FerryAvroSerdeConfig}).
 * Null serializes to null (a tombstone). Thread-safe, as Kafka producers require.
 *
 * @param <T> the record type
 */
@InterfaceStability.Evolving
public class FerryAvroSerializer<T> implements Serializer<T> {

    private SchemaRegistryClient registry;
    private volatile WriterResolver writers;

    /** For Kafka to instantiate by class name; {@link #configure} must follow. */
    public FerryAvroSerializer() {
    }

    /**
     * Uses (and shares) {@code registry}; {@link #configure} is optional and then only reads the
     * serde keys. Unconfigured, it writes values with the topic name strategy and auto-registration.
     */
    public FerryAvroSerializer(SchemaRegistryClient registry) {
        this.registry = registry;
        if (registry != null) {
            this.writers = new WriterResolver(registry, SerdeSettings.defaults());
        }
    }

    /** A ready serializer sharing {@code registry}, configured by {@code configs}. */
    public FerryAvroSerializer(SchemaRegistryClient registry, Map<String, ?> configs, boolean isKey) {
        this(registry);
        configure(configs, isKey);
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
        writers = new WriterResolver(registry, settings);
    }

    boolean hasRegistry() {
        return registry != null;
    }

    /**
     * Registers (or looks up) {@code schema} under {@code topic}'s subject now, as the first {@link #serialize} to
     * that topic would, so that writing it later needs no registry: the id is cached for the process.
     *
     * @throws org.apache.kafka.common.errors.SerializationException or a registry exception when the registry cannot
     *     give the id now
     */
    public void prepare(String topic, Schema schema) {
        WriterResolver resolver = writers;
        if (resolver == null) {
            throw new IllegalStateException("FerryAvroSerializer used before configure() and without a registry client");
        }
        resolver.writerFor(topic, schema);
    }

    /**
     * Forgets the schema ids this serializer keeps for {@code topic}: the next write there registers (or looks up)
     * its schema again. For a subject deleted in the registry, which the next write must bring back.
     */
    public void forget(String topic) {
        WriterResolver resolver = writers;
        if (resolver != null) {
            resolver.forget(topic);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        WriterResolver resolver = writers;
        if (resolver == null) {
            throw new IllegalStateException("FerryAvroSerializer used before configure() and without a registry client");
        }
        if (!(data instanceof GenericContainer record)) {
            throw new SerializationException("FerryAvroSerializer writes Avro records (generated classes or"
                    + " GenericRecord), not " + data.getClass().getName() + ", on topic " + topic);
        }
        try {
            return resolver.writerFor(topic, record.getSchema()).write(data);
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("Cannot write a " + record.getSchema().getFullName() + " to topic " + topic
                    + ": " + e, e);
        }
    }
}
