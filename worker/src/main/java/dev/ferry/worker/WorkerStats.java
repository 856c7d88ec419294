package dev.ferry.worker;

/**
 * A snapshot of a pool's counters since it started: attempts whose result was written, by outcome, plus what is
 * running now. Metrics proper are exported elsewhere; this is for tests, logs and the in-process actuator.
 *
 * @param processed attempts whose result was written (all statuses)
 * @param succeeded attempts that ended {@code SUCCEEDED}
 * @param failed attempts that ended {@code FAILED} or {@code TIMED_OUT}
 * @param retried attempts handed to a retry tier for a later attempt
 * @param deadLettered records sent to the dead-letter topic (given-up invocations and undecodable records)
 * @param inFlight invocations running right now
 * @param abandonedRuns timed-out runs that ignored their interrupt and kept their thread over
 *        {@code Invoker.ABANDON_GRACE_MS} (issue 11)
 * @param abandonedThreads those of them still running now, in current and recycled replicas
 * @param recycles replicas replaced because {@code worker.abandoned.runs.max} of their runs were abandoned
 */
public record WorkerStats(long processed, long succeeded, long failed, long retried, long deadLettered,
        long inFlight, long abandonedRuns, long abandonedThreads, long recycles) {
}
