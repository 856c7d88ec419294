package dev.ferry.worker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The timeouts of one {@link Invoker}'s open runs, kept without a timer task per run (issue 16). A task on the
 * process's timer thread per run cost every invocation a scheduling and a cancellation under the timer queue's lock,
 * and, whenever that queue was empty (a fast function's timer is cancelled before the next run starts), a wake-up of
 * the timer thread: 8 % of an {@code ORDERED} replica's polling thread in {@code pipeline-throughput} went to those
 * wake-ups (async-profiler). Here a run is an entry in a set of the open runs; one check is scheduled for the
 * earliest deadline of the set and, when it comes, expires the runs past their deadline and schedules itself for the
 * next. A replica's runs share one timeout, so while they keep finishing within it the timer thread wakes about once
 * per timeout, not once per run; the set holds the runs that are open, at most the replica's concurrency plus the
 * runs held by functions that ignore their interrupt.
 *
 * <p>Expiry is exact to the timer's precision, as with a task per run: a check never comes later than the deadline
 * of any run in the set. Thread-safe; {@link #add} and {@link #remove} take no lock and wake no thread, except
 * {@code add} when no check is due by its deadline (the first run after an idle spell).
 */
final class RunDeadlines {

    /** {@link #nextCheck} when no check is scheduled. */
    private static final long NONE = Long.MAX_VALUE;

    private final ScheduledExecutorService timers;
    private final Set<Deadline> open = ConcurrentHashMap.newKeySet();
    /**
     * The {@link System#nanoTime()} of the scheduled check that comes first, or {@link #NONE}. A check clears it as
     * it starts, before it reads the set: a run added before that is seen by its scan, a run added after it
     * schedules a check of its own.
     */
    private final AtomicLong nextCheck = new AtomicLong(NONE);

    /** @param timers where the checks run (the process's timer thread); an expiry must not block it */
    RunDeadlines(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /**
     * A run's deadline, open until {@link #remove removed} or expired.
     *
     * @param timeoutMs how long from now, in milliseconds
     * @param onExpiry told once, on the timer thread, if the deadline passes while the run is open; must not block
     */
    Deadline add(long timeoutMs, Runnable onExpiry) {
        Deadline deadline = new Deadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), onExpiry);
        open.add(deadline);
        checkBy(deadline.atNanos);
        return deadline;
    }

    /** Forgets a run that ended; its expiry is never told. */
    void remove(Deadline deadline) {
        open.remove(deadline);
    }

    /** Runs whose deadline has not been reached nor removed: for tests. */
    int open() {
        return open.size();
    }

    /** Makes sure a check comes no later than {@code atNanos}. */
    private void checkBy(long atNanos) {
        while (true) {
            long scheduled = nextCheck.get();
            if (scheduled != NONE && scheduled - atNanos <= 0) {
                return;
            }
            if (nextCheck.compareAndSet(scheduled, atNanos)) {
                try {
                    timers.schedule(this::check, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // The process is stopping: its runs are interrupted by their invoker's close.
                    nextCheck.compareAndSet(atNanos, NONE);
                }
                return;
            }
        }
    }

    private void check() {
        nextCheck.set(NONE);
        long now = System.nanoTime();
        List<Deadline> expired = new ArrayList<>();
        long earliest = NONE;
        for (Deadline deadline : open) {
            if (deadline.atNanos - now <= 0) {
                expired.add(deadline);
            } else if (earliest == NONE || deadline.atNanos - earliest < 0) {
                earliest = deadline.atNanos;
            }
        }
        for (Deadline deadline : expired) {
            if (open.remove(deadline)) {
                deadline.onExpiry.run();
            }
        }
        if (earliest != NONE) {
            checkBy(earliest);
        }
    }

    /** One open run's deadline; identity is the run's. */
    static final class Deadline {
        private final long atNanos;
        private final Runnable onExpiry;

        private Deadline(long atNanos, Runnable onExpiry) {
            this.atNanos = atNanos;
            this.onExpiry = onExpiry;
        }
    }
}
