package dev.ferry.cli.service;

import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every service takes (docs/design.md): where Kafka and the registry are, and how clients connect. */
public final class ConnectionOptions {

    @Option(names = "--bootstrap-servers", description = "Kafka brokers, host:port,...")
    String bootstrapServers;

    @Option(names = "--schema-registry", description = "Schema Registry URL(s), comma-separated.")
    String schemaRegistry;

    @Option(names = "--kafka-config", description = "A properties file of Kafka client settings (SASL_SSL, ...).")
    Path kafkaConfig;

    @Option(names = "--topic-prefix", description = "Prefix of every Ferry topic (default: ferry.).")
    String topicPrefix;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any Ferry configuration key (see the README's configuration table); repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    boolean externalCluster() {
        return bootstrapServers != null;
    }

    /** The configuration: {@code defaults}, then {@code --set} values, then the dedicated options. */
    public FerryConfig toConfig(Map<String, Object> defaults) {
        Map<String, Object> values = new HashMap<>(defaults);
        values.putAll(settings);
        if (bootstrapServers != null) {
            values.put(FerryConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (schemaRegistry != null) {
            values.put(FerryConfig.SCHEMA_REGISTRY_URL, schemaRegistry);
        }
        if (kafkaConfig != null) {
            values.put(FerryConfig.KAFKA_CONFIG_FILE, kafkaConfig.toString());
        }
        if (topicPrefix != null) {
            values.put(FerryConfig.TOPIC_PREFIX, topicPrefix);
        }
        return new FerryConfig(values);
    }
}
