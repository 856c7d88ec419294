package dev.ferry.worker.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The work records this worker process gave back to their share group without running them, by their coordinates
 * (topic, partition, offset), to how often (issue 16). A replica that acquires more records than it runs at once
 * RELEASEs those that could not start while their acquisition lock still covered a whole attempt; the share group
 * counts every acquisition as a delivery (KIP-932), so such a record comes back with a higher delivery count
 * although no worker ever ran it. {@link #unrun(ConsumerRecord)} lets the replica take those deliveries off before
 * {@code worker.delivery.count.limit} is applied, so our own buffering never pushes a record toward the DLQ. A
 * delivery to another worker process is not discounted (it never saw the release); see docs/design.md for why
 * that stays rare.
 *
 * <p>Bounded ({@link RecordMemory}): the oldest of {@code capacity} entries is forgotten first. Thread-safe.
 */
public final class UnrunReleases {

    /** Released records are few (a release also makes the replica stop acquiring ahead): 10,000 is plenty. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final RecordMemory<Integer> released;

    public UnrunReleases(int capacity) {
        this.released = new RecordMemory<>(capacity);
    }

    /** Records that {@code record} was released by this process before it ran. */
    public void released(ConsumerRecord<?, ?> record) {
        released.merge(record, 1, Integer::sum);
    }

    /** How many of the record's deliveries this process released unrun (0 when none it remembers). */
    public int unrun(ConsumerRecord<?, ?> record) {
        Integer count = released.get(record);
        return count == null ? 0 : count;
    }

    /** The record's delivery count without the deliveries this process released unrun; at least 1. */
    public int deliveriesRun(ConsumerRecord<?, ?> record, int deliveryCount) {
        return Math.max(1, deliveryCount - unrun(record));
    }
}
