package dev.ferry.embedded;

import dev.ferry.embedded.internal.registry.RegistryHttpApi;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST API (the part serializers and operators use), for Avro, JSON
 * Schema and Protobuf schemas with schema references (compatibility is judged for Avro only; see the README),
 * running in this JVM and storing its state in a compacted Kafka topic.
 *
 * <p>Ids, versions and compatibility settings live in the topic ({@code _schemas} by default), so a registry
 * started later on the same cluster and topic answers exactly as the previous one did. The registry is the single
 * writer of its topic: do not run two at once on the same topic.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0)) {
 *     String url = registry.url();   // e.g. http://localhost:41873
 * }
 * }</pre>
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    /** The store topic Confluent's registry uses too. */
    public static final String DEFAULT_TOPIC = "_schemas";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    private final RegistryHttpApi api;
    private final String url;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedSchemaRegistry(RegistryHttpApi api) {
        this.api = api;
        this.url = "http://localhost:" + api.port();
    }

    /** Starts on {@code port} of localhost ({@code ferry dev} uses 8081; 0 picks a free one), storing in _schemas. */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port) {
        return start(bootstrapServers, port, DEFAULT_TOPIC);
    }

    /**
     * Starts on {@code port} of localhost, storing its state in {@code topic} (created compacted if missing, and
     * read back in full before the first request is served).
     *
     * @throws IllegalStateException if the cluster cannot be reached or the port cannot be bound
     */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port, String topic) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        long started = System.nanoTime();
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(
                RegistryHttpApi.start(bootstrapServers, port, topic));
        LOG.info("Schema registry started at {} (topic {} on {}) in {} ms", registry.url, topic, bootstrapServers,
                (System.nanoTime() - started) / 1_000_000);
        return registry;
    }

    /** The base URL, e.g. {@code http://localhost:8081}, for a registry client's {@code schema.registry.url}. */
    public String url() {
        return url;
    }

    /** Stops serving; the state stays in the topic. Safe to call twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            api.close();
            LOG.info("Schema registry at {} stopped", url);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedSchemaRegistry[" + url + "]";
    }
}
