package dev.ferry.core;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.embedded.junit.KafkaFixture;
import java.util.Map;
import java.util.UUID;

/** A configuration against the shared test broker, with a topic prefix of its own so tests never meet. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static FerryConfig isolated(KafkaFixture kafka) {
        return new FerryConfig(Map.of(
                FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl(),
                FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + "."));
    }
}
