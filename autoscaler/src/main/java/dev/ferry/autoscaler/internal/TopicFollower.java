package dev.ferry.autoscaler.internal;

import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.Partitions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one topic without a consumer group, on a thread of its own: from the beginning (a
 * compacted topic read as a table, like {@code ferry.scaling}) or from the end (a stream where only what is new
 * matters, like {@code ferry.lag}). Every instance sees everything; nothing is committed. A handler that throws
 * is logged and the record skipped: one bad record must not stop the others.
 */
public final class TopicFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

    /** Where reading starts. */
    public enum Start { BEGINNING, END }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
    private final Thread thread;
    private volatile boolean running = true;

    public TopicFollower(KafkaClients clients, String topic, Start start, String name,
            Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        this.topic = topic;
        this.handler = handler;
        this.consumer = clients.consumer(null, name, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of());
        List<TopicPartition> partitions;
        try {
            partitions = Partitions.await(consumer, topic, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        consumer.assign(partitions);
        if (start == Start.BEGINNING) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    public TopicFollower start() {
        thread.start();
        return this;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        handler.accept(record);
                    } catch (RuntimeException e) {
                        log.warn("Skipping record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                                e.toString());
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("Stopped following {}", topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
