package dev.ferry.worker.internal.trigger;

import dev.ferry.core.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transactional producer of one PARTITION or KEY replica (docs/design.md section 10): outputs, results, failures
 * and the source offsets ({@code sendOffsetsToTransaction} with the consumer's group metadata) go in ONE
 * transaction, so an output is on the destination exactly when its source offset is committed (DESIGN "Triggers",
 * Guarantees). Built with the destination's codec ({@link DestinationCodec}: the topic's own
 * {@code compression.type}, or the user codec when the topic leaves it to producers), since most of what it writes
 * is read by users' clients.
 *
 * <p>Not thread-safe: the replica's polling thread owns it. Errors: {@link #send} and {@link #commit} throw when
 * the transaction cannot commit; it has then been aborted (or the producer is fenced and must be closed), and the
 * caller must re-read from the committed offsets, since what it handed over is lost.
 */
public final class TransactionWriter implements AutoCloseable {

    /** Short, like the dispatcher's: a crashed replica's open transaction blocks readers only this long. */
    static final int TRANSACTION_TIMEOUT_MS = 10_000;
    /**
     * The producer's {@code batch.size} unless configured: 256 KiB, four times that of Ferry's other producers, so
     * at tens of thousands of records a second a commit interval of one partition's writes is about one batch. A
     * trigger writes about 400 bytes per source record (an output of ~250 with its five headers, a result of ~150,
     * as stored uncompressed), so at 64 KiB a partition's batch filled several times per commit interval and each
     * full batch sent a produce request early. Measured
     * (issue 16, trigger-throughput's copy alone, 100,000 records, 64 KiB and 256 KiB alternating in one process):
     * produce requests per 1,000 records 3.9 at 64 KiB, 1.0 at 256 KiB; CPU of every thread per record lower at
     * 256 KiB in each of 11 adjacent pairs, medians 13.7 against 18.8 us (docs/design.md). Heap: the producer
     * takes a whole {@code batch.size} buffer for each partition it has a batch open for and keeps freed ones
     * pooled, bounded by {@code buffer.memory} (32 MiB) either way; a replica writing 6 destination and 6 results
     * partitions holds about 3 MiB where it held 0.75.
     */
    static final int BATCH_BYTES = 256 * 1024;
    /**
     * The producer's {@code max.block.ms} unless configured: how long a send, {@code sendOffsetsToTransaction} or a
     * commit may wait (Kafka's default is a minute). Twice {@link #TRANSACTION_TIMEOUT_MS}, past which the coordinator
     * has aborted the transaction anyway. What it bounds is a request the producer retries without end: Kafka 4.4
     * retries a {@code TxnOffsetCommit} answered {@code UNKNOWN_TOPIC_ID} (a source deleted, or re-created under an
     * id the producer does not know yet) until this passes, and the replica's polling thread waits meanwhile.
     */
    static final int MAX_BLOCK_MS = 2 * TRANSACTION_TIMEOUT_MS;

    private final KafkaProducer<byte[], byte[]> producer;
    /** The first failed send of the open transaction (set on the producer's thread). */
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    /** Keeps the first failed send: one callback for every send, not one per record (issue 16). */
    private final Callback onSent = (metadata, error) -> {
        if (error != null) {
            sendError.compareAndSet(null, error);
        }
    };
    /** Whether a transaction is open: begun by a send or a commit, ended by a commit or an abort. */
    private boolean open;
    /**
     * A call timed out ({@code max.block.ms}) with a request still pending: an abort would wait for it as long
     * again, so none is tried; the next producer's {@code initTransactions} aborts the transaction.
     */
    private boolean stuck;

    /**
     * @param commitIntervalMs how often the replica commits: the producer lingers as long (unless
     *        {@code linger.ms} is configured), since nothing it sends is readable before the commit anyway, and the
     *        commit's flush sends what is left (as Kafka Streams' producer under exactly_once_v2 lingers 100 ms). A
     *        5 ms linger with sends spread over the interval made many small produce requests, each verified by the
     *        broker against the transaction (issue 16, JFR of trigger-throughput)
     * @param codec the codec of the replica's destination, read once when the replica started
     */
    public TransactionWriter(KafkaClients clients, String transactionalId, String clientId, long commitIntervalMs,
            DestinationCodec codec) {
        this.producer = clients.userTopicProducer(clientId, new ByteArraySerializer(), new ByteArraySerializer(),
                overrides(clients.config().kafkaClientProperties(), transactionalId, commitIntervalMs, codec));
        try {
            // Fences an earlier incarnation with the same id and aborts its open transaction.
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * The settings this writer's producer gets over the user-topic producer's defaults: the transactional id, the
     * destination's codec, a linger of one commit interval, {@link #BATCH_BYTES} and {@link #TRANSACTION_TIMEOUT_MS};
     * each but the id only where the operator's pass-through ({@code passThrough}) does not set it, which keeps the
     * last word, as everywhere ({@link KafkaClients}).
     */
    static Map<String, Object> overrides(Map<String, Object> passThrough, String transactionalId,
            long commitIntervalMs, DestinationCodec codec) {
        Map<String, Object> overrides = new java.util.HashMap<>();
        overrides.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        if (!passThrough.containsKey(ProducerConfig.COMPRESSION_TYPE_CONFIG)) {
            // The destination's codec, so the broker stores the user's outputs as they come (DestinationCodec).
            overrides.putAll(codec.producerSettings());
        }
        if (!passThrough.containsKey(ProducerConfig.LINGER_MS_CONFIG)) {
            overrides.put(ProducerConfig.LINGER_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, commitIntervalMs));
        }
        if (!passThrough.containsKey(ProducerConfig.BATCH_SIZE_CONFIG)) {
            overrides.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        }
        if (!passThrough.containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            overrides.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        }
        if (!passThrough.containsKey(ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
            overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        }
        return overrides;
    }

    /**
     * Sends {@code records} in the open transaction, beginning one if none is open. They are sent as soon as the
     * replica knows them (each partition's finished prefix), so by the commit most are on the broker already and
     * the commit waits only for the rest (issue 16: the commit used to send everything and then wait for it, the
     * replica's thread blocked meanwhile). Errors: a send refused at once aborts the transaction and throws, as
     * {@link #commit} does.
     */
    public void send(List<ProducerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        begin();
        try {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record, onSent);
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            throw aborted(e);
        }
    }

    /** Writes {@code records} and commits {@code offsets} atomically; nothing to do when both are empty. */
    public void commit(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        send(records);
        commit(offsets, group);
    }

    /**
     * Commits what {@link #send} wrote since the last commit and {@code offsets}, atomically; nothing to do when
     * neither. Like Kafka Streams under exactly_once_v2 it flushes the sends first, so a failed send aborts the
     * transaction before any offset is in it, and the offsets and the commit wait for nothing but themselves.
     */
    public void commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        if (!open && offsets.isEmpty()) {
            return;
        }
        begin();
        try {
            producer.flush();
            if (sendError.get() != null) {
                throw new KafkaException("A send failed");
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            producer.commitTransaction();
            open = false;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            throw aborted(e);
        }
    }

    private void begin() {
        if (stuck) {
            throw new IllegalStateException("A call of this producer timed out: it cannot begin a transaction");
        }
        if (!open) {
            sendError.set(null);
            producer.beginTransaction();
            open = true;
        }
    }

    private KafkaException aborted(KafkaException e) {
        if (e instanceof TimeoutException) {
            stuck = true;
        } else {
            rollback();
        }
        open = false;
        Exception cause = sendError.get();
        return cause == null ? e : new KafkaException("A trigger write failed: " + cause.getMessage(), cause);
    }

    /** Aborts the open transaction, if any: what {@link #send} wrote since the last commit is never read. */
    public void abort() {
        if (open) {
            open = false;
            try {
                producer.abortTransaction();
            } catch (ProducerFencedException e) {
                // Fenced: nothing of it can commit anyway.
            }
        }
    }

    private void rollback() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException ignored) {
            // The producer is closed next anyway; the broker aborts on its transaction timeout.
        }
    }

    @Override
    public void close() {
        // A stuck producer would spend the whole timeout on the request it keeps retrying.
        producer.close(stuck ? Duration.ZERO : Duration.ofSeconds(5));
    }
}
