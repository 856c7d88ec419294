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
}
