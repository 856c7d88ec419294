package dev.ferry.cli.service;

import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.Partitions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from its beginning on a thread of its own, handing every record to a handler. */
final class ResultsReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    ResultsReader(KafkaClients clients, String topic, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        consumer = clients.consumer(null, "it-results", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        List<TopicPartition> partitions = Partitions.await(consumer, topic, Duration.ofSeconds(30));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(() -> {
            try {
                while (running) {
                    consumer.poll(Duration.ofMillis(200)).forEach(handler);
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }, "it-results");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
