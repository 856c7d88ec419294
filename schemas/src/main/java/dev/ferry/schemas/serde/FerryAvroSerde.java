package dev.ferry.schemas.serde;

import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.serde.internal.SerdeSettings;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.annotation.InterfaceStability;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link FerryAvroSerializer} and {@link FerryAvroDeserializer} as one Kafka {@link Serde}, for
 * producers, consumers and Kafka Streams.
 *
 * <pre>{@code
 * Serde<InvocationRequest> serde = FerryAvroSerde.forSpecific(InvocationRequest.class,
 *         Map.of("schema.registry.url", "http://localhost:8081"), false);
 * }</pre>
 *
 * @param <T> the record type
 */
@InterfaceStability.Evolving
public class FerryAvroSerde<T> implements Serde<T> {

    private final FerryAvroSerializer<T> serializer;
    private final FerryAvroDeserializer<T> deserializer;

    /** For Kafka Streams to instantiate by class name ({@code default.value.serde}); configured by it. */
    public FerryAvroSerde() {
        this(new FerryAvroSerializer<>(), new FerryAvroDeserializer<>());
    }

    /** Shares {@code registry} between the serializer, the deserializer and any other serde built on it. */
    public FerryAvroSerde(SchemaRegistryClient registry) {
        this(new FerryAvroSerializer<>(registry), new FerryAvroDeserializer<>(registry));
    }

    private FerryAvroSerde(FerryAvroSerializer<T> serializer, FerryAvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** A configured serde of generated records, with its own registry client from {@code configs}. */
    public static <T extends SpecificRecord> FerryAvroSerde<T> forSpecific(Class<T> type, Map<String, ?> configs,
                                                                          boolean isKey) {
        return forSpecific(type, null, configs, isKey);
    }

    /** A configured serde of generated records over a shared registry client. */
    public static <T extends SpecificRecord> FerryAvroSerde<T> forSpecific(Class<T> type, SchemaRegistryClient registry,
                                                                          Map<String, ?> configs, boolean isKey) {
        FerryAvroSerde<T> serde = new FerryAvroSerde<>(new FerryAvroSerializer<>(registry),
                new FerryAvroDeserializer<>(registry, type));
        serde.configure(configs, isKey);
        return serde;
    }

    /** A configured serde of generic records (read in the writer's schema), with its own registry client. */
    public static FerryAvroSerde<GenericRecord> forGeneric(Map<String, ?> configs, boolean isKey) {
        return forGeneric(null, configs, isKey);
    }

    /** A configured serde of generic records over a shared registry client. */
    public static FerryAvroSerde<GenericRecord> forGeneric(SchemaRegistryClient registry, Map<String, ?> configs,
                                                           boolean isKey) {
        FerryAvroSerde<GenericRecord> serde = new FerryAvroSerde<>(new FerryAvroSerializer<>(registry),
                new FerryAvroDeserializer<>(registry));
        serde.configure(configs, isKey);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // One registry client (and one cache) for both halves when the serde was not handed one.
        SchemaRegistryClient shared = serializer.hasRegistry() ? null : SerdeSettings.clientFrom(configs);
        serializer.configure(configs, isKey, shared);
        deserializer.configure(configs, isKey, shared);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
