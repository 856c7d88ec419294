package dev.ferry.embedded.internal;

import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker, registry and admin client behind the JUnit extension: started once per JVM, closed by JUnit at
 * the end of the run (it sits in the root extension store, which closes {@link AutoCloseable} values).
 */
public final class SharedKafka implements AutoCloseable {

    /** Points the tests at an existing cluster instead of starting one. */
    public static final String BOOTSTRAP_PROPERTY = "ferry.kafka.bootstrap";
    /** Points the tests at an existing schema registry instead of starting one. */
    public static final String REGISTRY_PROPERTY = "ferry.schema.registry";
    /**
     * Which broker the tests start when no cluster is named: {@code embedded} (the default, in this JVM) or
     * {@code testcontainers} (the official {@code apache/kafka} image in Docker, where a Docker engine answers; where
     * none does, the tests say so and use the embedded broker). The environment variable {@code FERRY_TEST_KAFKA}
     * does the same.
     */
    public static final String KAFKA_KIND_PROPERTY = "ferry.test.kafka";
    /** The image the {@code testcontainers} switch runs; default {@code apache/kafka:<the Kafka client version>}. */
    public static final String KAFKA_IMAGE_PROPERTY = "ferry.test.kafka.image";

    private static final Logger LOG = LoggerFactory.getLogger(SharedKafka.class);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final AutoCloseable kafka;
    private final EmbeddedSchemaRegistry registry;
    private final String bootstrapServers;
    private final String registryUrl;
    private final Admin admin;
    private final int brokers;

    private SharedKafka(AutoCloseable kafka, EmbeddedSchemaRegistry registry, String bootstrapServers,
            String registryUrl, Admin admin, int brokers) {
        this.kafka = kafka;
        this.registry = registry;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.admin = admin;
        this.brokers = brokers;
    }

    /** Uses the cluster and registry named by the system properties, or starts embedded ones. */
    public static SharedKafka start(Properties systemProperties) {
        return start(systemProperties, System.getenv());
    }

    static SharedKafka start(Properties systemProperties, Map<String, String> environment) {
        String bootstrap = systemProperties.getProperty(BOOTSTRAP_PROPERTY);
        String url = systemProperties.getProperty(REGISTRY_PROPERTY);
        AutoCloseable kafka = null;
        EmbeddedSchemaRegistry registry = null;
        Admin admin = null;
        int brokers = 0;
        try {
            if (bootstrap != null && !bootstrap.isBlank()) {
                LOG.info("Tests use the existing Kafka cluster at {}", bootstrap);
            } else if (wantsContainer(systemProperties, environment)) {
                ContainerKafka container = ContainerKafka
                        .startIfDockerAvailable(systemProperties.getProperty(KAFKA_IMAGE_PROPERTY)).orElse(null);
                if (container != null) {
                    kafka = container;
                    bootstrap = container.bootstrapServers();
                    LOG.info("Tests use Kafka in Docker at {}", bootstrap);
                } else {
                    LOG.warn("{}=testcontainers, but no Docker engine answers (no DOCKER_HOST, no socket): the tests "
                            + "use the embedded broker instead", KAFKA_KIND_PROPERTY);
                }
            }
            if (bootstrap == null || bootstrap.isBlank()) {
                EmbeddedKafka embedded = EmbeddedKafka.start();
                kafka = embedded;
                bootstrap = embedded.bootstrapServers();
                brokers = embedded.brokerCount();
            }
            if (url == null || url.isBlank()) {
                registry = EmbeddedSchemaRegistry.start(bootstrap, 0);
                url = registry.url();
            }
            admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            if (brokers == 0) {
                brokers = countBrokers(admin);
            }
            return new SharedKafka(kafka, registry, bootstrap, url, admin, brokers);
        } catch (RuntimeException e) {
            closeAll(admin, registry, kafka);
            throw e;
        }
    }

    /** Whether the switch asks for a broker in Docker; the system property wins over the environment. */
    static boolean wantsContainer(Properties systemProperties, Map<String, String> environment) {
        String kind = systemProperties.getProperty(KAFKA_KIND_PROPERTY, environment.getOrDefault("FERRY_TEST_KAFKA", ""));
        return "testcontainers".equalsIgnoreCase(kind.trim());
    }

    /** Which broker this is: {@code docker ...}, {@code embedded ...} or {@code existing ...}, for logs and tests. */
    public String brokerDescription() {
        if (kafka instanceof ContainerKafka) {
            return "docker " + bootstrapServers;
        }
        return (kafka != null ? "embedded " : "existing ") + bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String schemaRegistryUrl() {
        return registryUrl;
    }

    public Admin admin() {
        return admin;
    }

    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** Creates the topic unless it exists, then waits until every partition has a leader. */
    public void createTopic(String name, int partitions) {
        short replicas = (short) Math.min(3, brokers);
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, replicas))).all()
                    .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Topic " + name + " was not created within " + TOPIC_READY_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
        TopicReadiness.await(admin, name, TOPIC_READY_TIMEOUT);
    }

    @Override
    public void close() {
        closeAll(admin, registry, kafka);
    }

    private static int countBrokers(Admin admin) {
        try {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot reach the Kafka cluster: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing the Kafka cluster", e);
        }
    }

    private static void closeAll(Admin admin, EmbeddedSchemaRegistry registry, AutoCloseable kafka) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            try {
                kafka.close();
            } catch (Exception e) {
                LOG.warn("Closing the test broker failed", e);
            }
        }
    }
}
