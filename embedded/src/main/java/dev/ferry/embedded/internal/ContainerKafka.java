package dev.ferry.embedded.internal;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Kafka in Docker (the official {@code apache/kafka} image, through Testcontainers' Kafka module), for
 * the test fixture's switch {@code ferry.test.kafka=testcontainers}. The broker gets the same settings as the
 * embedded one ({@link BrokerDefaults}), passed the way the image reads them: {@code KAFKA_} plus the key in upper
 * case with dots as underscores.
 *
 * <p>Loaded only on that switch, so a process without Testcontainers on its class path (the {@code ferry} jar)
 * never touches it.
 */
final class ContainerKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerKafka.class);

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    /**
     * Whether a Docker engine answers ({@code DOCKER_HOST}, the socket, or Testcontainers' other strategies).
     * Never throws: a missing engine is an answer, not an error.
     */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("Docker detection failed", e);
            return false;
        }
    }

    /**
     * Starts the image, {@code apache/kafka:<the Kafka client version>} unless {@code image} names another, or
     * empty when no Docker engine answers.
     */
    static Optional<ContainerKafka> startIfDockerAvailable(String image) {
        if (!dockerAvailable()) {
            return Optional.empty();
        }
        String name = image == null || image.isBlank() ? "apache/kafka:" + AppInfoParser.getVersion() : image;
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(name));
        for (Map.Entry<String, String> setting : BrokerDefaults.forBrokers(1).entrySet()) {
            container.withEnv(environmentName(setting.getKey()), setting.getValue());
        }
        LOG.info("Starting Kafka in Docker from {}", name);
        container.start();
        return Optional.of(new ContainerKafka(container));
    }

    /** The image's convention: {@code group.share.enable} is read from {@code KAFKA_GROUP_SHARE_ENABLE}. */
    static String environmentName(String brokerKey) {
        StringBuilder name = new StringBuilder("KAFKA_");
        for (char c : brokerKey.toCharArray()) {
            switch (c) {
                case '.' -> name.append('_');
                case '_' -> name.append("__");
                case '-' -> name.append("___");
                default -> name.append(Character.toUpperCase(c));
            }
        }
        return name.toString();
    }

    String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
