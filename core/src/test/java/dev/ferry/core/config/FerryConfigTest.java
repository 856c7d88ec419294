package dev.ferry.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryConfigTest {

    @Test
    void shouldPointAtTheEmbeddedDefaultWhenNothingIsSet() {
        FerryConfig config = FerryConfig.defaults();
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.schemaRegistryUrls()).containsExactly("http://localhost:8081");
        assertThat(config.topicPrefix()).isEqualTo("ferry.");
        assertThat(config.worker().processRuntimeEnabled()).as("process runtime is off by default").isFalse();
        assertThat(config.gateway().syncMaxPayloadBytes()).isEqualTo(6 * 1024 * 1024);
        assertThat(config.gateway().asyncMaxPayloadBytes()).isEqualTo(256 * 1024);
        assertThat(config.metering().windowMs()).isEqualTo(60_000L);
        assertThat(config.metering().graceMs()).isEqualTo(300_000L);
        assertThat(config.autoscaler().pollMs()).isEqualTo(1000L);
    }

    @Test
    void shouldListEveryPortFerryListensOnThatTheConfigurationNames() {
        FerryConfig config = FerryConfig.defaults().with(Map.of(FerryConfig.BOOTSTRAP_SERVERS,
                "kafka-1:9093, [::1]:19092", FerryConfig.SCHEMA_REGISTRY_URL, "http://registry:18081,https://r2",
                GatewayConfig.PORT, 8088, MeteringConfig.HTTP_PORT, 0, ManagementConfig.PORT, -1));
        assertThat(config.platformPorts()).contains(8088, 9093, 19092, 18081, 443)
                .allMatch(port -> port == 0 || port == -1 || port == 8088 || port == 9093 || port == 19092
                        || port == 18081 || port == 443);
        assertThat(FerryConfig.defaults().platformPorts()).contains(9092, 8081, 9400);
    }

    @Test
    void shouldKeepPricesExactWhenParsed() {
        FerryConfig config = FerryConfig.defaults().with(MeteringConfig.PRICE_PER_GB_SECOND, "0.0000166667");
        assertThat(config.metering().pricePerGbSecond()).isEqualByComparingTo(new BigDecimal("0.0000166667"));
        assertThat(config.metering().pricePerGbSecond().scale()).isEqualTo(10);
        assertThat(config.metering().pricePerRequest()).isEqualByComparingTo(new BigDecimal("0.0000002"));
    }

    @Test
    void shouldNameTheKeyWhenAValueIsBad() {
        assertThatThrownBy(() -> new FerryConfig(Map.of(MeteringConfig.PRICE_PER_REQUEST, "cheap")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(MeteringConfig.PRICE_PER_REQUEST);
        assertThatThrownBy(() -> new FerryConfig(Map.of(GatewayConfig.PORT, "eighty")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(GatewayConfig.PORT);
        assertThatThrownBy(() -> new FerryConfig(Map.of(FerryConfig.TOPIC_PREFIX, "bad prefix/")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(FerryConfig.TOPIC_PREFIX);
    }

    @Test
    void shouldPassKafkaPropertiesThroughFromTheFileAndThePrefixWhenSecurityIsConfigured(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
                basic.auth.credentials.source=USER_INFO
                basic.auth.user.info=reg:secret
                """);
        FerryConfig config = new FerryConfig(Map.of(
                FerryConfig.BOOTSTRAP_SERVERS, "b1:9093,b2:9093",
                FerryConfig.KAFKA_CONFIG_FILE, file.toString(),
                "kafka.linger.ms", "20"));

        Map<String, Object> client = config.kafkaClientProperties();
        assertThat(client).containsEntry("bootstrap.servers", "b1:9093,b2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("linger.ms", "20")
                .doesNotContainKey("kafka.linger.ms");
        assertThat(config.schemaRegistryProperties())
                .containsEntry("schema.registry.url", "http://localhost:8081")
                .containsEntry("basic.auth.user.info", "reg:secret");
    }

    @Test
    void shouldSayWhichFileIsMissingWhenThePassThroughFileCannotBeRead(@TempDir Path dir) {
        String missing = dir.resolve("nope.properties").toString();
        assertThatThrownBy(() -> new FerryConfig(Map.of(FerryConfig.KAFKA_CONFIG_FILE, missing)))
                .isInstanceOf(FerryException.class).hasMessageContaining(missing);
    }

    @Test
    void shouldDocumentEveryKey() {
        assertThat(FerryConfig.definition().configKeys().values())
                .allSatisfy(key -> assertThat(key.documentation).as(key.name).isNotBlank());
    }

    @Test
    void shouldStartANewPoolAtItsMinimumCappedAtWhatMinimumsMayHoldOrAtTheInitialSizeWithoutOne() {
        AutoscalerConfig autoscaler = new FerryConfig(Map.of(AutoscalerConfig.MAX_TOTAL_REPLICAS, "100")).autoscaler();
        assertThat(autoscaler.startingReplicas(5, 0)).isEqualTo(5);
        assertThat(autoscaler.startingReplicas(1_000, 0)).as("a spec written past the gateway").isEqualTo(90);
        assertThat(autoscaler.startingReplicas(0, 1)).isEqualTo(1);
    }
}
