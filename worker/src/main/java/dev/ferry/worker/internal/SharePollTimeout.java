package dev.ferry.worker.internal;

import java.time.Duration;

/**
 * How long a {@code QUEUE} replica's next share-group poll may wait (issue 16: the warm call of a concurrency-1
 * function in {@code ferry dev} took ~200 ms).
 *
 * <p>Each {@code poll()} of Kafka's share consumer asks for one fetch in {@code record_limit} acquisition mode, and
 * a fetch that acquires only a transaction's commit marker (a control record, which counts toward the record limit
 * and which the consumer acknowledges as a gap) ends that poll's fetching: the poll then sleeps out its whole
 * timeout though the next record may be waiting (seen with kafka-clients 4.3.1). Every work record is written in a
 * dispatcher transaction, so its marker follows it on the partition; when a poll acquires fewer records than that
 * (always at concurrency 1: the record fills the limit), the first fetch after the batch acquires the marker alone.
 * Right after a batch the replica therefore polls in {@link #AFTER_BATCH} slices, each asking for a fetch of its
 * own, for {@link #AFTER_BATCH_WINDOW}; then, idle, it polls for {@link #IDLE} at a time again (an idle replica's
 * fetch waits at the broker, which answers as soon as a record arrives). Only after a batch of at most {@code
 * concurrency} records: a slice that gives up while its fetch is out can make the consumer acquire a second batch
 * whose markers' acknowledgements are lost, which stalled replicas running batches of 256 for a lock duration
 * ({@link ShareReplica}, issue 16). Used by the polling thread only.
 */
final class SharePollTimeout {

    /** An idle replica's poll: a record arriving ends it at once, so this only sets how often it loops. */
    static final Duration IDLE = Duration.ofMillis(200);
    /** The polls right after a batch: the longest a marker-only fetch can hold the next record back. */
    static final Duration AFTER_BATCH = Duration.ofMillis(10);
    /** How long after a batch the short polls go on: the marker's fetch, one round trip, with room for a slow one. */
    static final Duration AFTER_BATCH_WINDOW = Duration.ofMillis(250);

    private boolean batchSeen;
    private long batchEndedNanos;

    /**
     * A batch was run and acknowledged at {@code nowNanos} ({@link System#nanoTime()}); {@code small} when it held
     * at most {@code concurrency} records. Only after a small batch do short polls follow: after a larger one they
     * made a consumer acquire a second batch whose markers' acknowledgements were lost ({@link ShareReplica}).
     */
    void batchEnded(long nowNanos, boolean small) {
        batchSeen = small;
        batchEndedNanos = nowNanos;
    }

    /** The timeout of a poll beginning at {@code nowNanos}. */
    Duration next(long nowNanos) {
        return batchSeen && nowNanos - batchEndedNanos < AFTER_BATCH_WINDOW.toNanos() ? AFTER_BATCH : IDLE;
    }
}
