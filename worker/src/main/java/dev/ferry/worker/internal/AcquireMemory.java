package dev.ferry.worker.internal;

/**
 * What a {@code QUEUE} pool's replicas last learned about the function's runs: whether they acquire ahead, and the
 * recent mean and longest run (issue 16, autoscaling). Shared by the replicas of one pool, so that a replica the
 * autoscaler adds to a pool already acquiring ahead starts ahead at once. Before, each new replica joined the share
 * group acquiring {@code concurrency} records, ran one batch, and then left and joined again with a consumer for the
 * larger batch ({@code max.poll.records} is fixed per consumer): two more membership changes per added replica, each
 * one a regroup in which the pool served little (the bench's scale-up from 3 to 8 replicas served about one
 * replica's worth for over 2 s). Starting ahead is as safe as switching to it: a record that cannot start while its
 * acquisition lock still covers a whole attempt is released unrun and the replica goes back to exact, whatever told
 * it to acquire ahead.
 *
 * <p>Thread-safe: replicas write after each batch, the last write wins. A redeploy starts a new memory (new code
 * runs for other lengths).
 */
public final class AcquireMemory {

    /** One replica's view after a batch; {@code meanMs} is negative until a run was seen. */
    record Learned(boolean ahead, double meanMs, double longestMs) {
    }

    private volatile Learned learned;

    /** Nothing learned yet: a replica starts acquiring {@code concurrency} records. */
    public AcquireMemory() {
    }

    /** What the pool's replicas learned last, or null if nothing yet. */
    Learned learned() {
        return learned;
    }

    void remember(Learned latest) {
        learned = latest;
    }
}
