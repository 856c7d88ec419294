package dev.ferry.schemas.serde;

import dev.ferry.schemas.registry.SchemaRegistryClientConfig;

/**
 * Configuration keys of the serde, spelled as in Confluent's serializer so existing property files
 * work unchanged. The registry connection keys ({@code schema.registry.url}, basic auth, timeouts)
 * are those of {@link SchemaRegistryClientConfig}.
 */
public final class FerryAvroSerdeConfig {

    public static final String SCHEMA_REGISTRY_URL_CONFIG = SchemaRegistryClientConfig.URL_CONFIG;
    /** Register a record's schema when it is not yet under the subject (default true). */
    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    /**
     * Write with the subject's latest registered schema instead of the record's own (default false);
     * the serializer refuses records that cannot be written with it. Takes precedence over
     * {@link #AUTO_REGISTER_SCHEMAS_CONFIG}.
     */
    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    /** Short name or class name of a {@link SubjectNameStrategy} for keys (default TopicNameStrategy). */
    public static final String KEY_SUBJECT_NAME_STRATEGY_CONFIG = "key.subject.name.strategy";
    /** Short name or class name of a {@link SubjectNameStrategy} for values (default TopicNameStrategy). */
    public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
    /** Deserializer: true reads into the generated classes, false into {@code GenericRecord} (default false). */
    public static final String SPECIFIC_AVRO_READER_CONFIG = "specific.avro.reader";

    private FerryAvroSerdeConfig() {
    }
}
