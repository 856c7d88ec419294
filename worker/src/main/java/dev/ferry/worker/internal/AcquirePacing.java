package dev.ferry.worker.internal;

import dev.ferry.core.functions.WorkProvisioner;
import java.util.Optional;

/**
 * How many records a {@code QUEUE} replica acquires per poll (issue 16). Each poll is a share fetch, and a replica
 * polls again only once its batch is settled (explicit acknowledgement), so acquiring only {@code concurrency}
 * records makes short functions pay a fetch round trip per {@code concurrency} runs (measured: 65 share fetches
 * per 1,000 records at 32, against 4.6 at the client's default batches). Acquiring more is safe only while every
 * acquired record can still start before its lock runs short of a whole attempt, which depends on how long runs
 * take; so the replica starts by acquiring {@code concurrency} ("exact") and acquires {@code factor × concurrency}
 * ("ahead", at most {@value #MAX_RECORDS}) only while recent runs are short enough:
 *
 * <ul>
 *   <li>the <em>start budget</em> is how long an acquired record may wait and still have its timeout and the write
 *   margin left under its lock: the lock the broker reports minus {@code timeoutMs} minus {@link
 *   WorkProvisioner#writeMargin(int)};</li>
 *   <li>the <em>drain time</em> is how long the last record of a batch waits for a slot if every run takes the
 *   recent longest run: {@code (factor - 1) × longest}, runs going {@code concurrency} at a time;</li>
 *   <li>exact → ahead after at least {@code concurrency} runs (and {@value #COOL_DOWN_BATCHES} × that after a
 *   release) when the drain time is within a quarter of the budget; ahead → exact when it exceeds half of it, or
 *   when a record had to be released unrun. The gap between the two keeps a replica from flapping.</li>
 * </ul>
 * A mode change needs a new consumer ({@code max.poll.records} is fixed per consumer), so it is taken only between
 * batches. The polling thread's alone.
 */
final class AcquirePacing {

    /** Records per poll never exceed this, whatever the factor. */
    static final int MAX_RECORDS = 1_000;
    static final int COOL_DOWN_BATCHES = 8;

    private final int concurrency;
    private final int factor;
    private final int timeoutMs;
    private boolean ahead;
    private long batchLongestNanos;
    private double recentLongestMs;
    private long runsSinceChange;
    private long runsNeeded;
    private boolean releasedInBatch;

    AcquirePacing(int concurrency, int factor, int timeoutMs) {
        this.concurrency = Math.max(1, concurrency);
        this.factor = Math.max(1, Math.min(factor, Math.max(1, MAX_RECORDS / this.concurrency)));
        this.timeoutMs = timeoutMs;
        this.runsNeeded = this.concurrency;
    }

    /** {@code max.poll.records} for the next consumer. */
    int acquireLimit() {
        return ahead ? concurrency * factor : concurrency;
    }

    boolean ahead() {
        return ahead;
    }

    /** The start budget in ms given the lock the broker reported (none yet: 0, nothing may wait). */
    long startBudgetMs(Optional<Integer> lockMs) {
        return lockMs.map(lock -> Math.max(0L, lock - timeoutMs - WorkProvisioner.writeMargin(timeoutMs)))
                .orElse(0L);
    }

    /** A run of this batch took {@code nanos}, from its start until its result was handed over or it ended. */
    void ran(long nanos) {
        batchLongestNanos = Math.max(batchLongestNanos, nanos);
        runsSinceChange++;
    }

    /** Records of this batch had to be released unrun. */
    void released() {
        releasedInBatch = true;
    }

    /**
     * Ends a batch; true when the replica should take a new consumer in the other mode ({@link #ahead()} says
     * which, already switched).
     */
    boolean batchEnded(long budgetMs) {
        recentLongestMs = Math.max(batchLongestNanos / 1e6, recentLongestMs / 2);
        batchLongestNanos = 0;
        boolean released = releasedInBatch;
        releasedInBatch = false;
        if (factor == 1) {
            return false;
        }
        double drainMs = recentLongestMs * (factor - 1);
        if (ahead) {
            if (released || budgetMs <= 0 || drainMs > budgetMs / 2.0) {
                ahead = false;
                runsSinceChange = 0;
                runsNeeded = released ? (long) COOL_DOWN_BATCHES * concurrency * factor : concurrency;
                return true;
            }
        } else if (budgetMs > 0 && runsSinceChange >= runsNeeded && drainMs <= budgetMs / 4.0) {
            ahead = true;
            runsSinceChange = 0;
            return true;
        }
        return false;
    }

    /** For logs: the recent longest run, ms. */
    double recentLongestMs() {
        return recentLongestMs;
    }
}
