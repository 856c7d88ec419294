package dev.ferry.ingest.internal;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes, within one gateway, the writes that may pin replicas against the platform's reservable part ({@link
 * PinnedReplicas}): a function deployed with {@code minReplicas} above 0, a trigger that starts a pool for such a
 * function, a deploy that creates a function or raises its partitions, and a trigger write with a destination or
 * onFailure it may create (the platform's partition budget,
 * {@link dev.ferry.core.config.TopicConfig#workMaxTotalPartitions()}). Each checks what this gateway's
 * directories show, publishes and waits until its spec is visible there, holding this lock throughout, so the next
 * one's check counts it. Per name ({@link NameLocks}) was not enough: a
 * tester's 10 parallel trigger PUTs through one gateway all answered 201 and pinned 102 replicas of 90, and 8
 * parallel deploys of {@code minReplicas} 2 with 8 left all answered 201 (session 10), each checked against a
 * directory that did not yet show the others. Writes through two gateways at the same instant are still not
 * serialized (docs/design.md, "HTTP API").
 *
 * <p>Taken after a name's lock and before the trigger-cycle lock, never the other way round.
 */
public final class PinningWrites {

    private final ReentrantLock lock = new ReentrantLock();

    /** Runs {@code write} holding the lock when {@code pins}, else at once; returns its value. */
    <T> T holdingIf(boolean pins, Supplier<T> write) {
        if (!pins) {
            return write.get();
        }
        lock.lock();
        try {
            return write.get();
        } finally {
            lock.unlock();
        }
    }
}
