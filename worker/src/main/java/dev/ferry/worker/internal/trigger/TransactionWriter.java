package dev.ferry.worker.internal.trigger;

import dev.ferry.core.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transactional producer of one PARTITION or KEY replica (docs/design.md section 10): outputs, results, failures
 * and the source offsets ({@code sendOffsetsToTransaction} with the consumer's group metadata) go in ONE
 * transaction, so an output is on the destination exactly when its source offset is committed (DESIGN "Triggers",
 * Guarantees). Built with the user codec, since most of what it writes is read by users' clients.
 *
 * <p>Errors: {@link #commit} throws when the transaction could not commit; it has then been aborted (or the
 * producer is fenced and must be closed), and the caller must re-read from the committed offsets, since what it
 * handed over is lost.
 */
public final class TransactionWriter implements AutoCloseable {

    /** Short, like the dispatcher's: a crashed replica's open transaction blocks readers only this long. */
    static final int TRANSACTION_TIMEOUT_MS = 10_000;

    private final KafkaProducer<byte[], byte[]> producer;

    public TransactionWriter(KafkaClients clients, String transactionalId, String clientId) {
        Map<String, Object> overrides = new java.util.HashMap<>();
        overrides.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        if (!clients.config().kafkaClientProperties().containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            overrides.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        }
        this.producer = clients.userTopicProducer(clientId, new ByteArraySerializer(), new ByteArraySerializer(),
                overrides);
        try {
            // Fences an earlier incarnation with the same id and aborts its open transaction.
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Writes {@code records} and commits {@code offsets} atomically; nothing to do when both are empty. */
    public void commit(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        if (records.isEmpty() && offsets.isEmpty()) {
            return;
        }
        AtomicReference<Exception> sendError = new AtomicReference<>();
        producer.beginTransaction();
        try {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        sendError.compareAndSet(null, error);
                    }
                });
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            abort();
            Exception cause = sendError.get();
            throw cause == null ? e : new KafkaException("A trigger write failed: " + cause.getMessage(), cause);
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException ignored) {
            // The producer is closed next anyway; the broker aborts on its transaction timeout.
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
