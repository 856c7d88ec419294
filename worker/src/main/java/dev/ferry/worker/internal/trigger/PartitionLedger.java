package dev.ferry.worker.internal.trigger;

import java.util.ArrayList;
import java.util.HashMap;
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

    /** Its own instance, so no finished record's list (an empty {@code List.of()} included) is ever taken for it. */
    private static final List<ProducerRecord<byte[], byte[]>> PENDING = java.util.Collections.unmodifiableList(
            new ArrayList<>(0));

    /** Fetched, not yet emitted records; a value of {@link #PENDING} (by identity) is unfinished. */
    private final TreeMap<Long, List<ProducerRecord<byte[], byte[]>>> open = new TreeMap<>();
    private final Map<Long, Tally> tallies = new HashMap<>();
    private Tally taken = Tally.NONE;
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
        if (open.replace(offset, List.copyOf(writes)) != null) {
            if (!tally.equals(Tally.NONE)) {
                tallies.put(offset, tally);
            }
        }
    }

    /** Removes the finished prefix and returns what it writes, in offset order; its tallies go to {@link #taken}. */
    public List<ProducerRecord<byte[], byte[]>> takePrefix() {
        List<ProducerRecord<byte[], byte[]>> writes = new ArrayList<>();
        while (!open.isEmpty() && open.firstEntry().getValue() != PENDING) {
            Map.Entry<Long, List<ProducerRecord<byte[], byte[]>>> first = open.pollFirstEntry();
            writes.addAll(first.getValue());
            Tally tally = tallies.remove(first.getKey());
            if (tally != null) {
                taken = taken.plus(tally);
            }
        }
        return writes;
    }

    /** What the records taken by {@link #takePrefix()} since the last call came to; resets it. */
    public Tally taken() {
        Tally result = taken;
        taken = Tally.NONE;
        return result;
    }

    /** The offset safe to commit once {@link #takePrefix()}'s writes are in the transaction; empty before any. */
    public OptionalLong committable() {
        if (next < 0) {
            return OptionalLong.empty();
        }
        Map.Entry<Long, List<ProducerRecord<byte[], byte[]>>> first = open.firstEntry();
        return OptionalLong.of(first == null ? next : first.getKey());
    }

    /**
     * Forgets every record from {@code offset} on (records that never started, and whatever finished after them):
     * the partition is handed over and the next owner starts at {@code offset}.
     */
    public void truncateFrom(long offset) {
        open.tailMap(offset, true).clear();
        tallies.keySet().removeIf(o -> o >= offset);
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
