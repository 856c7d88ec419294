package dev.ferry.worker.internal.trigger;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One source partition of a PARTITION or KEY replica: which fetched records are finished, and what each finished one
 * writes. What a commit may write is only the contiguous finished prefix (docs/design.md section 10): records
 * finished above the lowest unfinished offset wait here in memory, so a crash re-runs only records whose output
 * never committed, and a committed output is never repeated. The offset to commit is the lowest unfinished one, or
 * the consumer's position when everything fetched is emitted: transaction markers take offsets no consumer receives
 * (see the worker's {@code OffsetTracker}). What each record came to ({@link Tally}) leaves with its writes, so the
 * replica counts a record only once the transaction holding it commits: a record re-run after a crash counts once.
 * Not thread-safe: the replica's polling thread owns it.
 */
public final class PartitionLedger {

    /** A fetched record: what it writes once finished, and what it came to; {@link #PENDING} while unfinished. */
    private record Slot(List<ProducerRecord<byte[], byte[]>> writes, Tally tally) {
    }

    /** Its own instance, so no finished record's slot is ever taken for it (compared by identity). */
    private static final Slot PENDING = new Slot(List.of(), Tally.NONE);
    /** The slot of a record finished with no writes and no tally (a batch's records but its last): shared. */
    private static final Slot DONE = new Slot(List.of(), Tally.NONE);
    private static final int INITIAL_CAPACITY = 64;

    /*
     * Fetched, not yet emitted records, in offset order: a ring of their offsets and slots, the lowest at head.
     * Offsets arrive in increasing order and leave from the lowest, so a ring holds them without a node, a boxed
     * offset and a rebalancing per record, which a TreeMap cost on the polling thread (issue 16, trigger-throughput:
     * received() alone was a quarter of receiving a record in a profile); a record is found by binary search.
     * Capacity is a power of two; a record's tally travels in its slot.
     */
    private long[] offsets = new long[INITIAL_CAPACITY];
    private Slot[] slots = new Slot[INITIAL_CAPACITY];
    private int head;
    private int count;
    private int takenFiltered;
    private int takenAnswered;
    private int takenFailed;
    private long next = -1;
    private boolean truncated;

    /** A fetched record; offsets arrive in increasing order. */
    public void received(long offset) {
        if (offset < next) {
            throw new IllegalArgumentException("Offset " + offset + " arrived below position " + next);
        }
        if (count == slots.length) {
            grow();
        }
        int i = (head + count) & (slots.length - 1);
        offsets[i] = offset;
        slots[i] = PENDING;
        count++;
        next = offset + 1;
    }

    /** The consumer's position: every offset below it was received or is no record. Only moves forward. */
    public void fetchedTo(long position) {
        if (!truncated) {
            next = Math.max(next, position);
        }
    }

    /** The record at {@code offset} is finished and writes {@code writes} (maybe nothing). Unknown offsets: ignored. */
    public void finished(long offset, List<ProducerRecord<byte[], byte[]>> writes) {
        finished(offset, writes, Tally.NONE);
    }

    /**
     * As {@link #finished(long, List)}, and {@code tally} is what the records it stands for came to (a batch's
     * counts travel with its last record).
     */
    public void finished(long offset, List<ProducerRecord<byte[], byte[]>> writes, Tally tally) {
        int at = lowerBound(offset);
        if (at < count) {
            int i = (head + at) & (slots.length - 1);
            if (offsets[i] == offset) {
                // No copy of a list that is immutable already (List.copyOf returns it).
                slots[i] = writes.isEmpty() && tally.equals(Tally.NONE) ? DONE
                        : new Slot(List.copyOf(writes), tally);
            }
        }
    }

    /** Removes the finished prefix and returns what it writes, in offset order; its tallies go to {@link #taken}. */
    public List<ProducerRecord<byte[], byte[]>> takePrefix() {
        List<ProducerRecord<byte[], byte[]>> writes = new ArrayList<>();
        int mask = slots.length - 1;
        while (count > 0 && slots[head] != PENDING) {
            Slot slot = slots[head];
            writes.addAll(slot.writes());
            takenFiltered += slot.tally().filtered();
            takenAnswered += slot.tally().answered();
            takenFailed += slot.tally().failed();
            slots[head] = null;
            head = (head + 1) & mask;
            count--;
        }
        return writes;
    }

    /** What the records taken by {@link #takePrefix()} since the last call came to; resets it. */
    public Tally taken() {
        Tally result = takenFiltered == 0 && takenAnswered == 0 && takenFailed == 0 ? Tally.NONE
                : new Tally(takenFiltered, takenAnswered, takenFailed);
        takenFiltered = 0;
        takenAnswered = 0;
        takenFailed = 0;
        return result;
    }

    /** The offset safe to commit once {@link #takePrefix()}'s writes are in the transaction; empty before any. */
    public OptionalLong committable() {
        if (next < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(count == 0 ? next : offsets[head]);
    }

    /**
     * Forgets every record from {@code offset} on (records that never started, and whatever finished after them):
     * the partition is handed over and the next owner starts at {@code offset}.
     */
    public void truncateFrom(long offset) {
        int keep = lowerBound(offset);
        int mask = slots.length - 1;
        for (int at = keep; at < count; at++) {
            slots[(head + at) & mask] = null;
        }
        count = keep;
        next = count == 0 ? offset : Math.min(next, offset);
        truncated = true;
    }

    /** The position in the ring (0 for the lowest) of the first record at or above {@code offset}; count if none. */
    private int lowerBound(long offset) {
        int mask = slots.length - 1;
        int low = 0;
        int high = count;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (offsets[(head + mid) & mask] < offset) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** Doubles the ring, its records moved to the start in order. */
    private void grow() {
        int mask = slots.length - 1;
        long[] moreOffsets = new long[slots.length * 2];
        Slot[] moreSlots = new Slot[slots.length * 2];
        for (int at = 0; at < count; at++) {
            moreOffsets[at] = offsets[(head + at) & mask];
            moreSlots[at] = slots[(head + at) & mask];
        }
        offsets = moreOffsets;
        slots = moreSlots;
        head = 0;
    }

    /** Records fetched and not emitted yet. */
    public int size() {
        return count;
    }

    /** How many records came to each end: filtered, answered, failed. */
    public record Tally(int filtered, int answered, int failed) {

        public static final Tally NONE = new Tally(0, 0, 0);

        public Tally plus(Tally other) {
            return new Tally(filtered + other.filtered, answered + other.answered, failed + other.failed);
        }
    }
}
