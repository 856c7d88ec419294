package dev.ferry.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.KafkaClients;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * /metrics counts the process's live Kafka clients by kind (issue 13, part 3). Clients need no broker to exist, so
 * they are built against an address nobody answers.
 */
class KafkaClientCountTest {

    private static double clients(String kind) {
        return FerryMetrics.registry().get("ferry.kafka.clients").tag("kind", kind).gauge().value();
    }

    @Test
    void shouldCountEachKindOfLiveClientAndForgetClosedOnes() {
        KafkaClients kafka = new KafkaClients(new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS,
                "127.0.0.1:1")));
        double producers = clients("producer");
        double consumers = clients("consumer");
        double shareConsumers = clients("share-consumer");
        double admins = clients("admin");

        try (KafkaProducer<byte[], byte[]> producer = kafka.producer("count-p", new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of());
                KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("count-g", "count-c",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
                KafkaShareConsumer<byte[], byte[]> share = kafka.shareConsumer("count-s", "count-s",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
                Admin admin = kafka.admin("count-a")) {
            assertThat(clients("producer")).isEqualTo(producers + 1);
            assertThat(clients("consumer")).isEqualTo(consumers + 1);
            assertThat(clients("share-consumer")).isEqualTo(shareConsumers + 1);
            assertThat(clients("admin")).isEqualTo(admins + 1);
            producer.close(Duration.ZERO);
            assertThat(clients("producer")).isEqualTo(producers);
        }
        assertThat(FerryMetrics.scrape()).contains("ferry_kafka_clients{kind=\"consumer\"}");
        assertThat(clients("consumer")).isEqualTo(consumers);
        assertThat(clients("admin")).isEqualTo(admins);
    }
}
