package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/** Partition look-ups that readers without a consumer group (assign, not subscribe) need. */
public final class Partitions {

    private Partitions() {
    }

    /**
     * The partitions of {@code topic}, waiting up to {@code timeout} for them to appear: a topic created a moment
     * ago may not be in this client's metadata yet, and assigning nothing would read nothing forever.
     *
     * @throws FerryException when the topic still has no partitions after {@code timeout}
     */
    public static List<TopicPartition> await(Consumer<?, ?> consumer, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() > deadline) {
                throw new FerryException("Topic " + topic + " has no partitions in the cluster metadata after "
                        + timeout.toSeconds() + " s: is the platform provisioned?");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while waiting for topic " + topic, e);
            }
        }
    }
}
