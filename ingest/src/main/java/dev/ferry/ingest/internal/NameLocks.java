package dev.ferry.ingest.internal;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes, within one gateway, the read-check-write of a spec stored under a name (a function's or a trigger's):
 * a write reads the current spec, checks the change against it (a share group cannot become a consumer group, a
 * topic cannot shrink), answers 201 or 200 by whether it existed, then publishes and waits until the directory shows
 * it. Two such writes of one name at once both read "absent" without this, and both answered 201 with the last one
 * kept whatever the first had made (a tester's finding, session 7). Names are spread over a fixed set of locks, so
 * memory does not grow with the names seen; two names sharing a lock only wait for each other.
 *
 * <p>Gateways do not share these locks: two writes of one name through different gateways at the same instant can
 * still both be answered as creations (docs/design.md, "HTTP API").
 */
final class NameLocks {

    private static final int STRIPES = 64;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    NameLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Runs {@code write} holding the lock of {@code name} (e.g. {@code tenant/function}) and returns its value. */
    <T> T holding(Object name, Supplier<T> write) {
        ReentrantLock lock = stripes[Math.floorMod(name.hashCode(), STRIPES)];
        lock.lock();
        try {
            return write.get();
        } finally {
            lock.unlock();
        }
    }
}
