package dev.ferry.worker.internal.trigger;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
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

    /**
     * Fetched, not yet emitted records by offset. A record's tally travels in its slot (issue 16: a map of tallies
     * beside this one cost a boxed offset, a node and a lookup per record on the polling thread).
     */
    private final TreeMap<Long, Slot> open = new TreeMap<>();
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
        open.put(offset, PENDING);
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
        // One lookup, and no copy of a list that is immutable already (issue 16: per record on the polling thread).
        open.replace(offset, new Slot(List.copyOf(writes), tally));
    }

    /** Removes the finished prefix and returns what it writes, in offset order; its tallies go to {@link #taken}. */
    public List<ProducerRecord<byte[], byte[]>> takePrefix() {
        List<ProducerRecord<byte[], byte[]>> writes = new ArrayList<>();
        // One walk from the lowest offset, each entry removed by the iterator (not a first-entry lookup twice each).
        for (Iterator<Slot> slots = open.values().iterator(); slots.hasNext(); ) {
            Slot slot = slots.next();
            if (slot == PENDING) {
                break;
            }
            writes.addAll(slot.writes());
            takenFiltered += slot.tally().filtered();
            takenAnswered += slot.tally().answered();
            takenFailed += slot.tally().failed();
            slots.remove();
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
        Map.Entry<Long, Slot> first = open.firstEntry();
        return OptionalLong.of(first == null ? next : first.getKey());
    }

    /**
     * Forgets every record from {@code offset} on (records that never started, and whatever finished after them):
     * the partition is handed over and the next owner starts at {@code offset}.
     */
    public void truncateFrom(long offset) {
        open.tailMap(offset, true).clear();
        next = open.isEmpty() ? offset : Math.min(next, offset);
        truncated = true;
    }

    /** Records fetched and not emitted yet. */
    public int size() {
        return open.size();
    }

    /** How many records came to each end: filtered, answered, failed. */
    public record Tally(int filtered, int answered, int failed) {

        public static final Tally NONE = new Tally(0, 0, 0);

        public Tally plus(Tally other) {
            return new Tally(filtered + other.filtered, answered + other.answered, failed + other.failed);
        }
    }
}
