package dev.ferry.worker.internal;

import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.WorkProvisioner;
import java.util.Optional;

/**
 * How many records a {@code QUEUE} replica acquires per poll (issue 16). Each poll is a share fetch, and a replica
 * polls again only once its batch is settled (explicit acknowledgement), so acquiring only {@code concurrency}
 * records makes short functions pay a fetch round trip per {@code concurrency} runs (measured: 65 share fetches
 * per 1,000 records at 32, against 4.6 at the client's default batches). Acquiring more is safe only while every
 * acquired record can still start before its lock runs short of a whole attempt, which depends on how long runs
 * take; so the replica starts by acquiring {@code concurrency} ("exact"), unless its pool's replicas already
 * acquire ahead ({@link AcquireMemory}), and acquires {@code factor × concurrency}
 * ("ahead", at most {@value #MAX_RECORDS}) only while recent runs are short enough:
 *
 * <ul>
 *   <li>the <em>start budget</em> is how long an acquired record may wait and still have its timeout and the write
 *   margin left under its lock: the lock the broker reports minus {@code timeoutMs} minus {@link
 *   WorkProvisioner#writeMargin(int)};</li>
 *   <li>the <em>drain time</em> is how long the last record of a batch waits for a slot, runs going {@code
 *   concurrency} at a time: {@code (factor - 1) × mean + longest}, from the recent mean and longest runs (an
 *   estimate: the start deadline, not it, keeps records within their locks);</li>
 *   <li>exact → ahead when the drain time is within a quarter of the budget, after at least {@code concurrency}
 *   runs at first, a full ahead batch's worth ({@code factor × concurrency}) after going back, and {@value
 *   #COOL_DOWN_BATCHES} of those after a release; ahead → exact when it exceeds half of it, or when a record had to
 *   be released unrun. The gap between the thresholds and the runs needed keep a replica from flapping.</li>
 * </ul>
 * A mode change needs a new consumer ({@code max.poll.records} is fixed per consumer), so it is taken only between
 * batches. The polling thread's alone.
 */
final class AcquirePacing {

    /** Records per poll never exceed this, whatever the factor. */
    static final int MAX_RECORDS = WorkerConfig.QUEUE_MAX_RECORDS_PER_POLL;
    static final int COOL_DOWN_BATCHES = 8;

    private final int concurrency;
    private final int factor;
    private final int timeoutMs;
    private boolean ahead;
    private long batchLongestNanos;
    private long batchRunNanos;
    private int batchRuns;
    private double recentLongestMs;
    private double recentMeanMs = -1;
    private long runsSinceChange;
    private long runsNeeded;
    private boolean releasedInBatch;

    private final AcquireMemory pool;

    /** A replica of a pool of its own (nothing learned before it). */
    AcquirePacing(int concurrency, int factor, int timeoutMs) {
        this(concurrency, factor, timeoutMs, new AcquireMemory());
    }

    /**
     * A replica of a pool whose replicas share {@code pool}: it starts in the mode they last chose, with their recent
     * run lengths, so a replica added to a pool that acquires ahead does not join exact and then take a new consumer
     * (see {@link AcquireMemory}).
     */
    AcquirePacing(int concurrency, int factor, int timeoutMs, AcquireMemory pool) {
        this.concurrency = Math.max(1, concurrency);
        this.factor = WorkerConfig.acquireFactorAt(factor, this.concurrency);
        this.timeoutMs = timeoutMs;
        this.runsNeeded = this.concurrency;
        this.pool = pool;
        AcquireMemory.Learned learned = pool.learned();
        if (learned != null && this.factor > 1) {
            ahead = learned.ahead();
            recentMeanMs = learned.meanMs();
            recentLongestMs = learned.longestMs();
        }
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
        batchRunNanos += nanos;
        batchRuns++;
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
        if (batchRuns > 0) {
            double mean = batchRunNanos / 1e6 / batchRuns;
            recentMeanMs = recentMeanMs < 0 ? mean : (recentMeanMs + mean) / 2;
        }
        batchLongestNanos = 0;
        batchRunNanos = 0;
        batchRuns = 0;
        boolean released = releasedInBatch;
        releasedInBatch = false;
        if (factor == 1) {
            return false;
        }
        boolean change = decide(budgetMs, released);
        pool.remember(new AcquireMemory.Learned(ahead, recentMeanMs, recentLongestMs));
        return change;
    }

    private boolean decide(long budgetMs, boolean released) {
        // Runs go concurrency at a time, so the last of factor x concurrency records waits for about (factor - 1)
        // runs of the mean length, plus at most one long run ahead of it on its slot.
        double drainMs = Math.max(0, recentMeanMs) * (factor - 1) + recentLongestMs;
        if (ahead) {
            if (released || budgetMs <= 0 || drainMs > budgetMs / 2.0) {
                ahead = false;
                runsSinceChange = 0;
                runsNeeded = (released ? COOL_DOWN_BATCHES : 1L) * concurrency * factor;
                return true;
            }
        } else if (budgetMs > 0 && runsSinceChange >= runsNeeded && drainMs <= budgetMs / 4.0) {
            ahead = true;
            runsSinceChange = 0;
            return true;
        }
        return false;
    }

    /** For logs: the recent mean run, ms. */
    double recentMeanMs() {
        return Math.max(0, recentMeanMs);
    }

    /** For logs: the recent longest run, ms. */
    double recentLongestMs() {
        return recentLongestMs;
    }
}
