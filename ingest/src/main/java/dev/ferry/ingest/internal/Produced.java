package dev.ferry.ingest.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * The gateway's send of a record, which tells a failure that certainly wrote nothing ({@link NotWritten}) from one
 * after which the record may still be written: what a caller may be told differs (session 15: a frozen broker held
 * calls unanswered, and they ran once it resumed).
 *
 * <p>Certainly not written: the producer refused the record before it left, on the sending thread (no metadata
 * within {@code max.block.ms}, a full buffer, a serializer's error, a record over {@code max.request.size}, a closed
 * producer), or the broker refused it for good (too large, an unknown or forbidden topic). Anything else, the
 * delivery timeout above all, leaves it open: the request may have reached the broker, which may write it later
 * (a frozen broker reads what its socket buffered when it resumes).
 */
public final class Produced {

    /** The record was certainly not written; the cause is the producer's or broker's error. */
    public static final class NotWritten extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NotWritten(Throwable cause) {
            super(cause.toString(), cause);
        }
    }

    private Produced() {
    }

    /**
     * Sends {@code record} from a thread of {@code executor}, so the caller's thread never waits on the producer
     * ({@code send} itself blocks for up to {@code max.block.ms} without metadata or buffer room).
     *
     * @return completes with the metadata once acknowledged; fails with {@link NotWritten} when certainly nothing was
     *     written, or with the producer's error when the record may still be written
     */
    public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record,
            Executor executor) {
        return CompletableFuture.supplyAsync(() -> sendHere(producer, record), executor)
                .thenCompose(acked -> acked);
    }

    /** As {@link #send}, from this thread. */
    public static <K, V> CompletableFuture<RecordMetadata> sendHere(Producer<K, V> producer,
            ProducerRecord<K, V> record) {
        Thread sender = Thread.currentThread();
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    acked.complete(metadata);
                } else if (Thread.currentThread() == sender || refusedForGood(error)) {
                    // The producer calls back on the sending thread only for a record it never appended.
                    acked.completeExceptionally(new NotWritten(error));
                } else {
                    acked.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(new NotWritten(e));
        }
        return acked;
    }

    private static boolean refusedForGood(Exception error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidTopicException || error instanceof AuthorizationException;
    }
}
