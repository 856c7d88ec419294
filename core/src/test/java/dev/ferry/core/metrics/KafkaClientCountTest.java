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

    private static KafkaClients unreachable() {
        return new KafkaClients(new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1")));
    }

    @Test
    void shouldCountEachKindOfLiveClientAndForgetClosedOnes() {
        KafkaClients kafka = unreachable();
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

    /**
     * Clients that share a client id share their metrics MBeans' names: counted by MBeans, the second of two was
     * not counted, and closing the first left neither counted while the second was still open.
     */
    @Test
    void shouldCountClientsThatShareAClientIdOneByOne() {
        KafkaClients kafka = unreachable();
        double admins = clients("admin");
        double consumers = clients("consumer");

        try (Admin first = kafka.admin("count-twin");
                KafkaConsumer<byte[], byte[]> one = kafka.consumer(null, "count-twin-c",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
                KafkaConsumer<byte[], byte[]> other = kafka.consumer(null, "count-twin-c",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            try (Admin second = kafka.admin("count-twin")) {
                assertThat(clients("admin")).isEqualTo(admins + 2);
                assertThat(clients("consumer")).isEqualTo(consumers + 2);
            }
            assertThat(clients("admin")).as("the first is still open").isEqualTo(admins + 1);
            one.close();
            assertThat(clients("consumer")).as("the other is still open").isEqualTo(consumers + 1);
        }
        assertThat(clients("admin")).isEqualTo(admins);
        assertThat(clients("consumer")).isEqualTo(consumers);
    }
}
