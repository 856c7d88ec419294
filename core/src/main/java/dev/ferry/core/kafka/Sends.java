package dev.ferry.core.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** A producer's send as a future, the one way Ferry's services wait for Kafka's acknowledgement of a record. */
public final class Sends {

    private Sends() {
    }

    /**
     * Sends {@code record}; the future completes with its metadata when Kafka has acknowledged it, and exceptionally
     * with the send's error, also one {@code send} throws at once (a serializer's, a closed producer's), so a caller
     * has one place to handle both.
     */
    public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }
}
