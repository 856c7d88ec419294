package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a result topic from its end (no group, read_committed) and waits until every expected invocation id has
 * appeared as a record key: the moment a user of the results would see the last one.
 */
final class ResultCounter implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    ResultCounter(KafkaClients clients, String topic) {
        this.topic = topic;
        this.consumer = clients.consumer(null, "bench-results-" + topic, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** Blocks until every id in {@code ids} (mutated: found ids are removed) has a result, or the timeout. */
    void awaitAll(Set<String> ids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ids.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new FerryException(ids.size() + " results still missing on " + topic + " after "
                        + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.key() != null) {
                    ids.remove(new String(record.key(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
