package dev.ferry.worker.internal.trigger;

import dev.ferry.worker.internal.UserThreadPool;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A trigger replica's user threads, where its {@code Invoker} runs the function (DESIGN "Triggers"): a
 * {@link UserThreadPool} (it grows as a cached pool does but wakes one thread per burst of hand-overs), except that
 * a task handed over by one of its own threads runs on that same thread once the task it is running ends, instead of
 * waking another. A replica's turn starts its next batch from the end of the previous one, which
 * happens on the user thread that ran it, so at {@code concurrency} 1 one thread runs a turn's batches back to back
 * with no thread hand-off between them (issue 16), each still a run of its own under its own timeout: the
 * {@code Invoker} cancels a timed-out run's {@link java.util.concurrent.FutureTask}, which interrupts the thread only
 * while that run is on it. The interrupt status is cleared before each task, as a {@code ThreadPoolExecutor} does.
 *
 * <p>Only for callers whose tasks never wait for a task they hand over (it would wait forever): the
 * {@code Invoker}'s runs and timeout handling, whose hand-overs come from completion callbacks. After
 * {@link #shutdown()} every new hand-over is refused with {@link RejectedExecutionException}, as the Invoker
 * expects; one accepted before still runs (after {@link #shutdownNow()}, interrupted), as in a pool.
 */
final class UserThreads extends AbstractExecutorService {

    private final ExecutorService pool;
    /** Tasks handed over by the task running on this thread, to run after it; null off the pool's threads. */
    private final ThreadLocal<ArrayDeque<Runnable>> next = new ThreadLocal<>();

    UserThreads(ThreadFactory threads) {
        this.pool = new UserThreadPool(threads);
    }

    @Override
    public void execute(Runnable task) {
        if (pool.isShutdown()) {
            throw new RejectedExecutionException("The user threads are shut down");
        }
        ArrayDeque<Runnable> after = next.get();
        if (after != null) {
            after.add(task);
        } else {
            pool.execute(() -> runHere(task));
        }
    }

    /** Runs {@code task}, then whatever it handed over, in order; hands the rest to the pool if one throws. */
    private void runHere(Runnable task) {
        ArrayDeque<Runnable> after = new ArrayDeque<>();
        next.set(after);
        try {
            task.run();
            Runnable following;
            while ((following = after.poll()) != null) {
                // Accepted before a shutdown, so it runs, as in a pool; after shutdownNow, interrupted.
                if (pool.isShutdown()) {
                    Thread.currentThread().interrupt();
                } else {
                    Thread.interrupted();
                }
                following.run();
            }
        } finally {
            next.remove();
            for (Runnable left : after) {
                try {
                    pool.execute(() -> runHere(left));
                } catch (RejectedExecutionException e) {
                    // Shut down while a task threw: the Invoker's timer still ends a run never started.
                }
            }
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
