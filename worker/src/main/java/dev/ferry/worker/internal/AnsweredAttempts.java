package dev.ferry.worker.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The work records this worker process has answered lately, by their coordinates (topic, partition, offset), to
 * the {@link Decision} taken, so a record delivered again after its result was written is acknowledged as before
 * instead of run a second time (issue 15: a surviving worker must not repeat an attempt). The record, not its
 * invocation id, is the key: ids are chosen by clients on the Kafka path, so another tenant's, or a reused, id
 * must never pass for an answered attempt.
 *
 * <p>Why a record comes back after its result: an acknowledgement lost with a broker. When the broker leading a
 * share partition dies, the new leader rebuilds the partition's state from the share coordinator, where only
 * acknowledged records are settled; records a worker had acquired, run and answered but whose acknowledgement
 * went to the dead leader are delivered again (KIP-932), mostly to the same member, since share-group assignment
 * does not change with partition leadership. A consumer group's redelivery after a rebalance (ordered functions)
 * is the same case. A delivery to another worker process is not caught here: that one has not seen the attempt.
 *
 * <p>Bounded: the oldest of {@code capacity} entries is forgotten first (a redelivery follows its first delivery by
 * a lock duration or a session timeout, seconds to a minute). Thread-safe.
 */
public final class AnsweredAttempts {

    /** 50,000 entries of ~100 bytes: minutes of a busy worker's attempts, a few MB. */
    public static final int DEFAULT_CAPACITY = 50_000;

    private final RecordMemory<Decision> answered;

    public AnsweredAttempts(int capacity) {
        this.answered = new RecordMemory<>(capacity);
    }

    /** Records that the record's result (and its follow-up) is written and acknowledged by Kafka. */
    public void answered(ConsumerRecord<?, ?> record, Decision decision) {
        answered.put(record, decision);
    }

    /** The decision taken when this record was answered, or null if this process has not answered it lately. */
    public Decision decisionOf(ConsumerRecord<?, ?> record) {
        return answered.get(record);
    }
}
