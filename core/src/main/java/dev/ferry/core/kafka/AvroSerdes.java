package dev.ferry.core.kafka;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.schemas.registry.CompatibilityLevel;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.serde.FerryAvroSerde;
import dev.ferry.schemas.serde.FerryAvroSerializer;
import dev.ferry.schemas.serde.TopicNameStrategy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Value serdes for Ferry's records, in the Confluent wire format with {@code <topic>-value} subjects, all over one
 * registry client per process so its schema caches are shared and the hot path never asks the registry twice for
 * the same schema. A service takes them from its process's {@link dev.ferry.core.runtime.FerryRuntime#serdes()}.
 */
public final class AvroSerdes {

    private static final Logger log = LoggerFactory.getLogger(AvroSerdes.class);

    /**
     * The compatibility level of a subject whose records Ferry reads and producers outside Ferry write
     * ({@link #prepareInput}): every live version there can read, and be read by, every other, so Ferry's reader
     * (registered there too) reads whatever a producer could register, and Ferry's own next schema (an optional field
     * more) still registers. docs/design.md section 8, "Subjects Ferry reads", has the reasoning.
     */
    public static final CompatibilityLevel INPUT_COMPATIBILITY = CompatibilityLevel.FULL_TRANSITIVE;

    private final SchemaRegistryClient registry;
    private final Map<String, Object> serdeConfig;
    private final Map<Class<?>, Serde<?>> serdes = new ConcurrentHashMap<>();

    /**
     * Serdes with a registry client of their own: for tools, benchmarks and tests that run no service. A service
     * uses its runtime's, so a process holds one registry client (issue 13).
     */
    public AvroSerdes(FerryConfig config) {
        this(RestSchemaRegistryClient.fromConfig(config.schemaRegistryProperties()), config);
    }

    public AvroSerdes(SchemaRegistryClient registry, FerryConfig config) {
        this.registry = registry;
        this.serdeConfig = config.schemaRegistryProperties();
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return (Serde<T>) serdes.computeIfAbsent(type,
                t -> FerryAvroSerde.forSpecific(type, registry, serdeConfig, false));
    }

    public <T extends SpecificRecord> Serializer<T> serializer(Class<T> type) {
        return serde(type).serializer();
    }

    public <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        return serde(type).deserializer();
    }

    /**
     * Gets the schema id of each of {@code writes} (a topic and the record type written to it) from the registry now,
     * so that this process's later writes of them need no registry: a service calls it at start, right after the
     * registry answered its start check, for the platform records it writes to fixed topics. Without it, a registry
     * lost after start stopped the first write of each (a tester, session 13: an autoscaler that had not yet
     * published a decision scaled nothing for the whole outage). Best effort: what cannot be had now is logged at
     * WARN and asked again at its first write.
     */
    public void prepare(Map<String, Class<? extends SpecificRecord>> writes) {
        writes.forEach((topic, type) -> {
            try {
                Serializer<?> serializer = serializer(type);
                if (serializer instanceof FerryAvroSerializer<?> avro) {
                    avro.prepare(topic, SpecificData.get().getSchema(type));
                }
            } catch (RuntimeException e) {
                log.warn("The schema of {} on {} could not be had from the registry yet (it is asked again at the "
                        + "first write): {}", type.getSimpleName(), topic, e.toString());
            }
        });
    }

    /**
     * Soft-deletes the subject of {@code topic} written with {@code type} (every version; not permanent, so records
     * written with its schema stay readable by id) and forgets this process's cached id for it, so its next write
     * there registers the schema again. Used for the work topic of a deleted function (tester 14A, finding 10).
     *
     * @return the versions deleted
     * @throws dev.ferry.schemas.registry.SchemaRegistryException when the registry refuses (40401: no such live
     *     subject) or does not answer
     */
    public List<Integer> deleteSubject(String topic, Class<? extends SpecificRecord> type) {
        Serializer<?> serializer = serializer(type);
        if (serializer instanceof FerryAvroSerializer<?> avro) {
            avro.forget(topic);
        }
        return registry.deleteSubject(subjectOf(topic, type));
    }

    /** The subject of {@code topic}'s values of {@code type}: {@code <topic>-value} (topic name strategy). */
    public static String subjectOf(String topic, Class<? extends SpecificRecord> type) {
        return new TopicNameStrategy().subjectName(topic, false, SpecificData.get().getSchema(type));
    }

    /**
     * Guards the subject of {@code topic}, a topic Ferry reads and producers outside Ferry write (the Kafka path's
     * {@code ferry.invocations}): sets its compatibility level to {@link #INPUT_COMPATIBILITY} when the subject has
     * no level of its own (one an operator set, or Ferry at an earlier start, is left as it is), then registers
     * Ferry's reader schema of {@code type} there, as {@link #prepare} does. Without it the registry's default
     * (BACKWARD, which guards readers that upgrade first) let a producer register a request schema without
     * {@code tenant}, and every call written with it was dead-lettered (tester 14A, finding 2). Best effort, like
     * {@link #prepare}: a registry that refuses or cannot answer is logged at WARN and the service starts anyway.
     */
    public void prepareInput(String topic, Class<? extends SpecificRecord> type) {
        String subject = subjectOf(topic, type);
        try {
            Optional<CompatibilityLevel> own = registry.getSubjectCompatibility(subject);
            if (own.isEmpty()) {
                registry.setCompatibility(subject, INPUT_COMPATIBILITY);
                log.info("Subject {} set to compatibility {}: Ferry reads what producers outside it write there",
                        subject, INPUT_COMPATIBILITY);
            } else if (own.get() != INPUT_COMPATIBILITY) {
                log.info("Subject {} keeps the compatibility {} set on it (Ferry would set {})", subject,
                        own.get(), INPUT_COMPATIBILITY);
            }
        } catch (RuntimeException e) {
            log.warn("The compatibility level of subject {} could not be checked or set (it is tried again at the "
                    + "next start): {}", subject, e.toString());
        }
        prepare(Map.of(topic, type));
    }
}
