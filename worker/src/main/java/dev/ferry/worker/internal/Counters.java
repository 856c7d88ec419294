package dev.ferry.worker.internal;

import dev.ferry.schemas.InvocationStatus;
import java.util.concurrent.atomic.LongAdder;

/** A pool's counters, shared by its replicas; see {@code WorkerStats} for what each means. */
public final class Counters {

    private final LongAdder processed = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final LongAdder abandonedRuns = new LongAdder();
    private final LongAdder abandonedThreads = new LongAdder();
    private final LongAdder recycles = new LongAdder();

    void resultWritten(InvocationStatus status) {
        processed.increment();
        if (status == InvocationStatus.SUCCEEDED) {
            succeeded.increment();
        } else if (status == InvocationStatus.FAILED || status == InvocationStatus.TIMED_OUT) {
            failed.increment();
        }
    }

    void retried() {
        retried.increment();
    }

    void deadLettered() {
        deadLettered.increment();
    }

    void started() {
        inFlight.increment();
    }

    void ended() {
        inFlight.decrement();
    }

    /** A timed-out run ignored its interrupt and keeps its thread. */
    void abandoned() {
        abandonedRuns.increment();
        abandonedThreads.increment();
    }

    /** An abandoned run finally returned, freeing its thread. */
    void abandonedEnded() {
        abandonedThreads.decrement();
    }

    public void recycled() {
        recycles.increment();
    }

    public long processed() {
        return processed.sum();
    }

    public long succeeded() {
        return succeeded.sum();
    }

    public long failed() {
        return failed.sum();
    }

    public long retriedCount() {
        return retried.sum();
    }

    public long deadLetteredCount() {
        return deadLettered.sum();
    }

    public long inFlight() {
        return inFlight.sum();
    }

    public long abandonedRuns() {
        return abandonedRuns.sum();
    }

    public long abandonedThreads() {
        return abandonedThreads.sum();
    }

    public long recycles() {
        return recycles.sum();
    }
}
