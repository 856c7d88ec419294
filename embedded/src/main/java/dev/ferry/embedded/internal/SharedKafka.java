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

    private static final Logger LOG = LoggerFactory.getLogger(SharedKafka.class);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final EmbeddedKafka kafka;
    private final EmbeddedSchemaRegistry registry;
    private final String bootstrapServers;
    private final String registryUrl;
    private final Admin admin;
    private final int brokers;

    private SharedKafka(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, String bootstrapServers,
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
        String bootstrap = systemProperties.getProperty(BOOTSTRAP_PROPERTY);
        String url = systemProperties.getProperty(REGISTRY_PROPERTY);
        EmbeddedKafka kafka = null;
        EmbeddedSchemaRegistry registry = null;
        Admin admin = null;
        try {
            if (bootstrap == null || bootstrap.isBlank()) {
                kafka = EmbeddedKafka.start();
                bootstrap = kafka.bootstrapServers();
            } else {
                LOG.info("Tests use the existing Kafka cluster at {}", bootstrap);
            }
            if (url == null || url.isBlank()) {
                registry = EmbeddedSchemaRegistry.start(bootstrap, 0);
                url = registry.url();
            }
            admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            int brokers = kafka != null ? kafka.brokerCount() : countBrokers(admin);
            return new SharedKafka(kafka, registry, bootstrap, url, admin, brokers);
        } catch (RuntimeException e) {
            closeAll(admin, registry, kafka);
            throw e;
        }
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

    private static void closeAll(Admin admin, EmbeddedSchemaRegistry registry, EmbeddedKafka kafka) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
