package dev.ferry.cli.service;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.embedded.junit.KafkaFixture;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A configuration against the shared test broker, with a topic prefix of its own so tests never meet. */
final class TestConfigs {

    private TestConfigs() {
    }

    static FerryConfig isolated(KafkaFixture kafka, Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        return new FerryConfig(settings);
    }
}
