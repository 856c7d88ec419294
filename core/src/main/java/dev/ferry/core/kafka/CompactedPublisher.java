package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes entries of a compacted catalog topic read by a {@link CompactedTable}: a value upserts its key, a
 * tombstone removes it. Each call waits for the broker's acknowledgement, so a caller that got an answer knows
 * the change is durable and will reach every table.
 *
 * @param <V> the entry type
 */
public final class CompactedPublisher<V> implements AutoCloseable {

    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaProducer<String, V> producer;
    private final String topic;

    public CompactedPublisher(KafkaClients clients, String topic, Serializer<V> serializer, String clientId) {
        this.topic = topic;
        this.producer = clients.producer(clientId, new StringSerializer(), serializer,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    /** Writes {@code value} under {@code key}; null writes a tombstone. */
    public void put(String key, V value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot write " + key + " to " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Timed out writing " + key + " to " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted writing " + key + " to " + topic, e);
        }
    }

    public void remove(String key) {
        put(key, null);
    }

    @Override
    public void close() {
        producer.close();
    }
}
