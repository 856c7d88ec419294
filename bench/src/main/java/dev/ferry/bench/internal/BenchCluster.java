package dev.ferry.bench.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The broker and registry a run measures on: the embedded ones, or an existing cluster. Every scenario gets its
 * own topic prefix ({@link #config}), so runs never see each other's topics, groups or offsets, on a shared
 * cluster either.
 */
public final class BenchCluster implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final EmbeddedSchemaRegistry registry;
    private final String bootstrapServers;
    private final String registryUrl;
    private final int replicationFactor;

    private BenchCluster(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, String bootstrapServers,
            String registryUrl) {
        this.kafka = kafka;
        this.registry = registry;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.replicationFactor = Math.min(3, brokers(bootstrapServers));
    }

    public static BenchCluster embedded() {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0);
            return new BenchCluster(kafka, registry, kafka.bootstrapServers(), registry.url());
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public static BenchCluster existing(String bootstrapServers, String registryUrl) {
        return new BenchCluster(null, null, bootstrapServers, registryUrl);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    /** A configuration on this cluster with a prefix of its own, e.g. {@code bench-3f2a9c1d-pipeline.}. */
    public FerryConfig config(String scenario, Map<String, ?> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(FerryConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        props.put(FerryConfig.SCHEMA_REGISTRY_URL, registryUrl);
        props.put(FerryConfig.TOPIC_PREFIX, "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-"
                + scenario + ".");
        props.put(TopicConfig.REPLICATION_FACTOR, replicationFactor);
        props.putAll(overrides);
        return new FerryConfig(props);
    }

    /** The replication factor of the topics a scenario creates: the broker count, at most 3. */
    public int replicationFactor() {
        return replicationFactor;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    private static int brokers(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot reach the cluster at " + bootstrapServers + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
