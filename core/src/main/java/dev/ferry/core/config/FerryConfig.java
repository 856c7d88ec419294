package dev.ferry.core.config;

import dev.ferry.core.FerryException;
import dev.ferry.core.metrics.KafkaClientCounter;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.utils.Utils;

/**
 * The typed configuration of a Ferry process: the connection settings every service shares, plus one section per
 * subsystem ({@link #dispatcher()}, {@link #worker()}, {@link #gateway()}, {@link #autoscaler()},
 * {@link #metering()}, {@link #management()}, {@link #triggers()}, {@link #topics()}).
 *
 * <p>Kafka client properties (SASL, SSL, timeouts...) pass through untouched from the properties file named by
 * {@value #KAFKA_CONFIG_FILE} and from any key prefixed {@value #KAFKA_PREFIX}, so a secured cluster works without
 * Ferry knowing its settings. Their values are never logged: they are likely to hold secrets.
 */
public final class FerryConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String KAFKA_CONFIG_FILE = "kafka.config.file";
    public static final String SCHEMA_REGISTRY_WAIT_MS = "schema.registry.wait.ms";
    /** Keys with this prefix are passed, without it, to every Kafka client and to the registry client. */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String DEFAULT_TOPIC_PREFIX = "ferry.";

    private static final ConfigDef DEFINITION = define();

    private final Map<String, Object> clientPassThrough;
    private final TopicConfig topics;
    private final DispatcherConfig dispatcher;
    private final WorkerConfig worker;
    private final GatewayConfig gateway;
    private final AutoscalerConfig autoscaler;
    private final MeteringConfig metering;
    private final ManagementConfig management;
    private final TriggerConfig triggers;

    public FerryConfig(Map<String, ?> originals) {
        super(DEFINITION, originals, false);
        this.clientPassThrough = Collections.unmodifiableMap(loadPassThrough());
        this.topics = new TopicConfig(this);
        this.dispatcher = new DispatcherConfig(this);
        this.worker = new WorkerConfig(this);
        this.gateway = new GatewayConfig(this);
        this.autoscaler = new AutoscalerConfig(this);
        this.metering = new MeteringConfig(this);
        this.management = new ManagementConfig(this);
        this.triggers = new TriggerConfig(this);
    }

    /** The configuration of {@code ferry dev}: every default, against the embedded broker and registry. */
    public static FerryConfig defaults() {
        return new FerryConfig(Map.of());
    }

    /** Every key Ferry knows, with types, defaults and docs; the README's configuration table is checked against it. */
    public static ConfigDef definition() {
        return new ConfigDef(DEFINITION);
    }

    /** A copy of this configuration with some keys replaced. */
    public FerryConfig with(Map<String, ?> overrides) {
        Map<String, Object> merged = new HashMap<>(originals());
        merged.putAll(overrides);
        return new FerryConfig(merged);
    }

    public FerryConfig with(String key, Object value) {
        return with(Map.of(key, value));
    }

    public String bootstrapServers() {
        return String.join(",", getList(BOOTSTRAP_SERVERS));
    }

    public List<String> schemaRegistryUrls() {
        return getList(SCHEMA_REGISTRY_URL);
    }

    /** {@value #SCHEMA_REGISTRY_WAIT_MS}: how long a service waits at start for the schema registry. */
    public Duration schemaRegistryWait() {
        return Duration.ofMillis(getLong(SCHEMA_REGISTRY_WAIT_MS));
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    /**
     * The ports this configuration says Ferry listens on, which its HTTP functions may not call on the worker's own
     * host ({@link dev.ferry.core.net.PlatformPorts}): the gateway's, metering's and the management listener's (when
     * set, not 0 or -1), and those of every {@code bootstrap.servers} entry and schema registry URL, wherever they
     * point.
     */
    public List<Integer> platformPorts() {
        List<Integer> ports = new ArrayList<>(List.of(gateway.port(), metering.httpPort(), management.port()));
        for (String server : getList(BOOTSTRAP_SERVERS)) {
            Integer port = Utils.getPort(server.trim());
            if (port != null) {
                ports.add(port);
            }
        }
        for (String url : schemaRegistryUrls()) {
            try {
                URI uri = URI.create(url.trim());
                ports.add(uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
            } catch (IllegalArgumentException e) {
                // not a URL: the registry client refuses it when it starts
            }
        }
        return ports;
    }

    /**
     * Properties for any Kafka client of this process: {@code bootstrap.servers} plus everything passed through, and
     * the reporter that counts live clients ({@link KafkaClientCounter}).
     * Callers add their own role-specific settings on top.
     */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> props = new HashMap<>(clientPassThrough);
        props.put(BOOTSTRAP_SERVERS, bootstrapServers());
        KafkaClientCounter.install(props); // ferry_kafka_clients
        return props;
    }

    /**
     * Properties for the schema registry client and the Avro serde: the registry URLs, plus the pass-through
     * properties (which may carry {@code basic.auth.user.info} and friends, as with Confluent's serializer).
     */
    public Map<String, Object> schemaRegistryProperties() {
        Map<String, Object> props = new HashMap<>(clientPassThrough);
        props.put(SCHEMA_REGISTRY_URL, String.join(",", schemaRegistryUrls()));
        return props;
    }

    public TopicConfig topics() {
        return topics;
    }

    public DispatcherConfig dispatcher() {
        return dispatcher;
    }

    public WorkerConfig worker() {
        return worker;
    }

    public GatewayConfig gateway() {
        return gateway;
    }

    public AutoscalerConfig autoscaler() {
        return autoscaler;
    }

    public MeteringConfig metering() {
        return metering;
    }

    public ManagementConfig management() {
        return management;
    }

    public TriggerConfig triggers() {
        return triggers;
    }

    private Map<String, Object> loadPassThrough() {
        Map<String, Object> props = new HashMap<>();
        String file = getString(KAFKA_CONFIG_FILE);
        if (file != null && !file.isBlank()) {
            Properties fromFile = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                fromFile.load(reader);
            } catch (IOException e) {
                throw new FerryException("Cannot read " + KAFKA_CONFIG_FILE + " '" + file + "': " + e.getMessage(), e);
            }
            fromFile.stringPropertyNames().forEach(name -> props.put(name, fromFile.getProperty(name)));
        }
        originals().forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX) && !key.equals(KAFKA_CONFIG_FILE)) {
                props.put(key.substring(KAFKA_PREFIX.length()), value);
            }
        });
        return props;
    }

    private static ConfigDef define() {
        ConfigDef def = new ConfigDef()
                .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", Importance.HIGH,
                        "Kafka brokers to connect to, host:port, comma-separated.")
                .define(SCHEMA_REGISTRY_URL, Type.LIST, "http://localhost:8081", Importance.HIGH,
                        "Schema Registry URLs (Confluent REST API), comma-separated; the client fails over in order.")
                .define(SCHEMA_REGISTRY_WAIT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                        "How long a service waits at start for the schema registry to answer GET /subjects with a "
                                + "list of subjects (asked every second, logged once) before it stops with exit code "
                                + "2, naming the URL and the last answer; 0 asks once.")
                .define(TOPIC_PREFIX, Type.STRING, DEFAULT_TOPIC_PREFIX, new TopicPrefixValidator(), Importance.MEDIUM,
                        "Prefix of every Ferry topic; group names derive from it (ferry. gives ferry-dispatcher).")
                .define(KAFKA_CONFIG_FILE, Type.STRING, "", Importance.MEDIUM,
                        "A Java properties file of Kafka client settings (e.g. security.protocol=SASL_SSL) passed "
                                + "to every client and the registry client. Keys prefixed kafka. do the same.");
        TopicConfig.define(def);
        DispatcherConfig.define(def);
        WorkerConfig.define(def);
        GatewayConfig.define(def);
        AutoscalerConfig.define(def);
        MeteringConfig.define(def);
        ManagementConfig.define(def);
        TriggerConfig.define(def);
        return def;
    }

    /** Topic names allow [a-zA-Z0-9._-]; the prefix must keep every derived name legal. */
    private static final class TopicPrefixValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String prefix = (String) value;
            if (prefix == null || !prefix.matches("[a-zA-Z0-9._-]{1,100}")) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "use 1 to 100 characters of a-z, A-Z, 0-9, '.', '_' and '-'");
            }
        }

        @Override
        public String toString() {
            return "[a-zA-Z0-9._-]{1,100}";
        }
    }
}
