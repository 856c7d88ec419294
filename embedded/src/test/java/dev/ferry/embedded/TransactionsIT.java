package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exactly-once needs the transaction coordinator, which a single broker runs only with the embedded defaults. */
@FerryKafkaTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionsIT {

    @Test
    void shouldShowOnlyCommittedRecordsWhenReadCommitted(KafkaFixture kafka) throws Exception {
        String topic = "tx-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-3"));
            producer.commitTransaction();
        }

        assertThat(readAll(kafka, topic, "read_committed", 3))
                .containsExactly("committed-1", "committed-2", "committed-3");
        assertThat(readAll(kafka, topic, "read_uncommitted", 4))
                .containsExactly("committed-1", "committed-2", "aborted", "committed-3");
    }

    private static List<String> readAll(KafkaFixture kafka, String topic, String isolation, int expected) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "tx-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // Poll past the expected count once more, so an extra record would show up as a failure.
            int emptyPollsAfterExpected = 0;
            while (System.nanoTime() < deadline && emptyPollsAfterExpected < 3) {
                var records = consumer.poll(Duration.ofMillis(300));
                for (ConsumerRecord<String, String> r : records) {
                    values.add(r.value());
                }
                if (values.size() >= expected && records.isEmpty()) {
                    emptyPollsAfterExpected++;
                }
            }
        }
        return values;
    }
}
