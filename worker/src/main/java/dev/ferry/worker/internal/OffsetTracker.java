package dev.ferry.worker.internal;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The commit position of one partition of an ORDERED pool, where invocations of different keys finish out of
 * order: the offset to commit is the lowest one received but not yet answered, or one past the highest received
 * when all are answered. So a committed offset never passes an invocation whose result is not written, and a
 * restart repeats only work that had no result yet. Not thread-safe: the polling thread owns it.
 */
public final class OffsetTracker {

    private final TreeSet<Long> unanswered = new TreeSet<>();
    private long next = -1;

    /** Records {@code offset} as fetched and not answered. Offsets arrive in increasing order (gaps allowed). */
    public void received(long offset) {
        if (offset < next) {
            throw new IllegalArgumentException("Offset " + offset + " arrived after " + (next - 1));
        }
        unanswered.add(offset);
        next = offset + 1;
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
