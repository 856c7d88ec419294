package dev.ferry.autoscaler;

import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.embedded.junit.KafkaFixture;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A configuration against the shared test broker, with a topic prefix of its own so tests never meet. */
final class TestConfigs {

    /** An autoscaler that reacts within seconds: polls every 250 ms, scales down after 2 s, idles after 3 s. */
    static final Map<String, Object> FAST = Map.of(
            AutoscalerConfig.POLL_MS, 250L,
            AutoscalerConfig.STABILIZATION_MS, 2_000L,
            AutoscalerConfig.IDLE_MS, 3_000L,
            AutoscalerConfig.STARTUP_MS, 1_000L);

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
