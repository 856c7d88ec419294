package dev.ferry.schemas.serde.internal;

import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.serde.FerryAvroSerdeConfig;
import dev.ferry.schemas.serde.SubjectNameStrategy;
import dev.ferry.schemas.serde.TopicNameStrategy;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde keys of one configuration, read once in {@code configure}; errors are Kafka
 * {@link ConfigException}s naming the bad key.
 *
 * @param isKey whether the serde handles record keys (it picks the key or value subject strategy)
 */
public record SerdeSettings(boolean isKey, boolean autoRegister, boolean useLatestVersion,
                            SubjectNameStrategy subjectNameStrategy, boolean specificReader) {

    /** What an unconfigured serde does: values, auto-registration, topic name strategy, generic reads. */
    public static SerdeSettings defaults() {
        return new SerdeSettings(false, true, false, new TopicNameStrategy(), false);
    }

    public static SerdeSettings from(Map<String, ?> configs, boolean isKey) {
        String strategyKey = isKey ? FerryAvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG
                : FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG;
        return new SerdeSettings(isKey,
                bool(configs, FerryAvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, true),
                bool(configs, FerryAvroSerdeConfig.USE_LATEST_VERSION_CONFIG, false),
                SubjectNameStrategies.resolve(strategyKey, configs.get(strategyKey)),
                bool(configs, FerryAvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, false));
    }

    /** A REST client for the configuration's registry keys, for serdes that were not handed one. */
    public static SchemaRegistryClient clientFrom(Map<String, ?> configs) {
        try {
            return RestSchemaRegistryClient.fromConfig(configs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key, value, "Expected true or false");
    }
}
