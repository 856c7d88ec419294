package dev.ferry.worker.internal;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The commit position of one partition of an ORDERED pool, where invocations of different keys finish out of
 * order: the offset to commit is the lowest one received but not yet answered, or, when all are answered, the
 * consumer's position. So a committed offset never passes an invocation whose result is not written, and a
 * restart repeats only work that had no result yet.
 *
 * <p>Why the position and not one past the last record: the dispatcher writes work topics in transactions, and
 * each transaction's commit marker takes an offset after its records that no consumer ever receives. Committing
 * one past the last record would leave the group one offset behind per partition for good, which reads as lag and
 * keeps an idle pool from scaling to zero (issue 11; Kafka Streams commits the position for the same reason).
 * Not thread-safe: the polling thread owns it.
 */
public final class OffsetTracker {

    private final TreeSet<Long> unanswered = new TreeSet<>();
    private long next = -1;

    /** Records {@code offset} as fetched and not answered. Offsets arrive in increasing order (gaps allowed). */
    public void received(long offset) {
        if (offset < next) {
            throw new IllegalArgumentException("Offset " + offset + " arrived below position " + next);
        }
        unanswered.add(offset);
        next = offset + 1;
    }

    /**
     * The consumer's position on the partition: every offset below it was either {@link #received} or is no
     * record (a transaction marker, an aborted record). Positions only move forward; an older one is ignored.
     */
    public void fetchedTo(long position) {
        next = Math.max(next, position);
    }

    /** Records that the result of {@code offset} is written. */
    public void answered(long offset) {
        if (!unanswered.remove(offset)) {
            throw new IllegalArgumentException("Offset " + offset + " was not awaiting an answer");
        }
    }

    /** The offset safe to commit, or empty before anything was received. */
    public OptionalLong committable() {
        if (next < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(unanswered.isEmpty() ? next : unanswered.first());
    }

    public int unansweredCount() {
        return unanswered.size();
    }
}
