package dev.ferry.core.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a {@link TopicTail} has read, and who waits for it to reach an offset: the next offset to read per
 * partition (kept across restarts of its consumer), the end it must reach to count as caught up, and pending
 * {@code readToEnd()} requests. Confined to the tail's thread.
 */
final class TailProgress {

    /** A read-to-end request and the offsets it waits for. */
    private record PendingRead(List<CompletableFuture<Void>> futures, Map<TopicPartition, Long> end) {
    }

    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final List<PendingRead> pendingReads = new ArrayList<>();
    private Map<TopicPartition, Long> catchUpTarget;

    /** A consumer was (re)opened at {@code positions}; it is caught up once it reaches {@code end}. */
    void opened(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> end) {
        next.clear();
        next.putAll(positions);
        catchUpTarget = new HashMap<>(end);
    }

    /** The next offset to read in {@code partition}; null when it was never read. */
    Long next(TopicPartition partition) {
        return next.get(partition);
    }

    void advance(TopicPartition partition, long nextOffset) {
        next.put(partition, nextOffset);
    }

    /** Offsets read in a topic that was deleted mean nothing in one created later under its name. */
    void forget() {
        next.clear();
    }

    void waitFor(List<CompletableFuture<Void>> futures, Map<TopicPartition, Long> end) {
        pendingReads.add(new PendingRead(futures, end));
    }

    /** True once, when the consumer opened last has reached the end it had then. */
    boolean justCaughtUp() {
        if (catchUpTarget != null && reached(catchUpTarget)) {
            catchUpTarget = null;
            return true;
        }
        return false;
    }

    /** Completes the read-to-end requests whose offsets are reached. */
    void completeReached() {
        for (Iterator<PendingRead> it = pendingReads.iterator(); it.hasNext(); ) {
            PendingRead read = it.next();
            if (reached(read.end())) {
                it.remove();
                read.futures().forEach(f -> f.complete(null));
            }
        }
    }

    /**
     * Whether something waits for this tail to reach an offset: its catch-up after opening, or a read-to-end. A poll
     * returns on records only, not when the position passes transaction markers, so a waiting tail polls briefly.
     */
    boolean waiting() {
        return catchUpTarget != null || !pendingReads.isEmpty();
    }

    /** The pending requests, taken back: after a failure their targets may not fit the restarted consumer. */
    List<CompletableFuture<Void>> takePending() {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        pendingReads.forEach(r -> futures.addAll(r.futures()));
        pendingReads.clear();
        return futures;
    }

    private boolean reached(Map<TopicPartition, Long> target) {
        for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
            Long at = next.get(e.getKey());
            if (at == null || at < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
