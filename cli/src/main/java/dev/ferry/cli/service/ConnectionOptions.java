package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Model.CommandSpec;
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

    @Option(names = "--config-file", paramLabel = "FILE",
            description = "A properties file of Ferry settings: any key of the README's configuration table, kafka.* "
                    + "included; --set overrides it. Put secrets (management.token, metering.http.token) here, "
                    + "not in --set: a command line is visible to every user of the machine (ps).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any Ferry configuration key (see the README's configuration table); repeatable. Visible "
                    + "in ps: give secrets with --config-file.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The bootstrap servers of the last configuration built ({@link #toConfig(Map)}), for messages; or null. */
    private String resolvedBootstrapServers;

    /**
     * The Kafka address that the command of {@code command} connects to, for a message saying where Kafka did not
     * answer: that of its {@link ConnectionOptions} (a mixin of the command, or of one of its mixins) once it built
     * its configuration, else the one given with {@code --bootstrap-servers}; null when the command has none.
     */
    public static String bootstrapServersOf(CommandSpec command) {
        for (CommandSpec mixin : command.mixins().values()) {
            if (mixin.userObject() instanceof ConnectionOptions options) {
                return options.resolvedBootstrapServers != null ? options.resolvedBootstrapServers
                        : options.bootstrapServers;
            }
            String nested = bootstrapServersOf(mixin);
            if (nested != null) {
                return nested;
            }
        }
        return null;
    }

    boolean externalCluster() {
        return bootstrapServers != null;
    }

    /**
     * The configuration: {@code defaults}, then the {@code --config-file} settings, then {@code --set} values, then
     * the dedicated options.
     *
     * @throws CliException (exit 2, a usage error like an unknown option) when a key, in the file or in
     *     {@code --set}, is not one Ferry knows, or a value is not valid for its key
     */
    public FerryConfig toConfig(Map<String, Object> defaults) {
        Map<String, Object> values = new HashMap<>(defaults);
        if (configFile != null) {
            values.putAll(ConfigFile.read(configFile));
        }
        ConfigFile.check("--set", settings);
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
        Object kafkaConfigFile = values.get(FerryConfig.KAFKA_CONFIG_FILE);
        if (kafkaConfigFile != null && !kafkaConfigFile.toString().isBlank()) {
            // A file the user named: unreadable is their mistake, said in words with exit 2, as for --config-file.
            ConfigFile.load(Path.of(kafkaConfigFile.toString()), kafkaConfig != null ? "--kafka-config"
                    : FerryConfig.KAFKA_CONFIG_FILE);
        }
        if (topicPrefix != null) {
            values.put(FerryConfig.TOPIC_PREFIX, topicPrefix);
        }
        try {
            FerryConfig config = new FerryConfig(values);
            resolvedBootstrapServers = config.bootstrapServers();
            return config;
        } catch (ConfigException e) {
            // A value the user gave (--set or an option): the same kind of mistake as an unknown key, so exit 2.
            throw new CliException(e.getMessage(), 2);
        }
    }
}
