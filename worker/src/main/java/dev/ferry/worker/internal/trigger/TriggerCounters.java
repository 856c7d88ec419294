package dev.ferry.worker.internal.trigger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A trigger pool's record counts since it started (DESIGN "Triggers": read, filtered, answered, failed), summed over
 * its replicas: every record read ends filtered, answered or failed. A record is counted as filtered, answered or
 * failed once that is final: for PARTITION and KEY when the transaction holding it commits, for NONE when it is
 * acknowledged; so a record re-run after a crash counts once. Read counts records, not fetches: a record is read
 * once per pool however often it is fetched again (after a rebalance, a replica starting over after an error, an
 * aborted transaction; for NONE a redelivery), so read minus the three others is what is in flight, never more than
 * the records there are (tester 10, finding 7c: READ 6499 for a topic of 6000 records). Across worker processes, or
 * in a new pool (pause and resume, a restart), a record read again counts again. Thread-safe.
 */
public final class TriggerCounters {

    private final AtomicLong read = new AtomicLong();
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final TriggerCounters parent;
    /** The pool's: per source partition, the offset after the highest one read (a replica's: unused). */
    private final Map<TopicPartition, AtomicLong> readUpTo = new ConcurrentHashMap<>();

    /** A pool's counters. */
    public TriggerCounters() {
        this(null);
    }

    /** A replica's counters, each count also added to {@code parent} (its pool's). */
    public TriggerCounters(TriggerCounters parent) {
        this.parent = parent;
    }

    /**
     * Counts the record at {@code offset} of {@code partition} (PARTITION and KEY) as read unless a replica of
     * this pool read it before: offsets at or below the highest read so far were fetched again.
     */
    public void read(TopicPartition partition, long offset) {
        if (root().firstRead(partition, offset)) {
            read(1);
        }
    }

    /** Counts a record of a share group (NONE) as read at its first delivery, not at a redelivery. */
    public void readDelivery(ConsumerRecord<?, ?> record) {
        if (record.deliveryCount().map(count -> count <= 1).orElse(true)) {
            read(1);
        }
    }

    private TriggerCounters root() {
        return parent == null ? this : parent.root();
    }

    private boolean firstRead(TopicPartition partition, long offset) {
        AtomicLong next = readUpTo.computeIfAbsent(partition, p -> new AtomicLong());
        long seen;
        do {
            seen = next.get();
            if (offset < seen) {
                return false;
            }
        } while (!next.compareAndSet(seen, offset + 1));
        return true;
    }

    void read(long n) {
        read.addAndGet(n);
        if (parent != null) {
            parent.read(n);
        }
    }

    public void filtered(long n) {
        filtered.addAndGet(n);
        if (parent != null) {
            parent.filtered(n);
        }
    }

    public void answered(long n) {
        answered.addAndGet(n);
        if (parent != null) {
            parent.answered(n);
        }
    }

    public void failed(long n) {
        failed.addAndGet(n);
        if (parent != null) {
            parent.failed(n);
        }
    }

    public long read() {
        return read.get();
    }

    public long filtered() {
        return filtered.get();
    }

    public long answered() {
        return answered.get();
    }

    public long failed() {
        return failed.get();
    }
}
