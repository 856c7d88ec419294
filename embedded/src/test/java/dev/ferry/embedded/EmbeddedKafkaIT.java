package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaIT {

    @Test
    void shouldDeliverProducedRecordsWhenConsumedFromTheSharedBroker(KafkaFixture kafka) throws Exception {
        String topic = "round-trip-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientProperties(),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }

        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "round-trip-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void shouldHandAllPartitionsToTheRemainingMemberWhenAConsumerProtocolMemberLeaves(KafkaFixture kafka) {
        String topic = "kip848-" + UUID.randomUUID();
        String group = "kip848-" + UUID.randomUUID();
        kafka.createTopic(topic, 2);
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        try (KafkaConsumer<String, String> stays = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            stays.subscribe(List.of(topic));
            try (KafkaConsumer<String, String> leaves = new KafkaConsumer<>(props, new StringDeserializer(),
                    new StringDeserializer())) {
                leaves.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    stays.poll(Duration.ofMillis(50));
                    leaves.poll(Duration.ofMillis(50));
                    return stays.assignment().size() == 1 && leaves.assignment().size() == 1;
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                stays.poll(Duration.ofMillis(50));
                return stays.assignment().size() == 2;
            });
        }
    }
}
