package dev.ferry.worker.internal;

import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place user code runs (docs/design.md, "Engineering habits": "All user code runs through one wrapper"). Every {@link Throwable} a
 * function throws becomes a {@code FAILED} outcome; a run past its timeout becomes {@code TIMED_OUT} at once, and
 * its thread is interrupted. Code that ignores the interrupt keeps its thread, never the invocation: a run still
 * inside the function {@link #ABANDON_GRACE_MS} after its interrupt is <em>abandoned</em>. Abandoned runs are
 * counted (issue 11, part 6); once {@code maxAbandoned} of them still hold threads, {@code onLimit} is told, once,
 * so the replica can be recycled with fresh threads instead of piling up stuck ones without bound. While any
 * timed-out run still holds a thread, {@link #mayStartRun()} admits new runs only as long as held and running ones
 * stay under {@code maxAbandoned}, so a replica never holds more than {@code max(maxAbandoned, concurrency)} stuck
 * threads (all of a replica's concurrent runs may get stuck at once; nothing can prevent that).
 *
 * <p>One invoker per replica, owning that replica's user threads; {@link #close()} abandons them (they are daemon
 * threads, so a stuck one never keeps the JVM alive).
 */
public final class Invoker implements AutoCloseable {

    /** How long a timed-out run may take to honour its interrupt before it counts as abandoned. */
    public static final long ABANDON_GRACE_MS = 1_000;

    private static final int NOT_STARTED = 0;
    private static final int RUNNING = 1;
    /** Timed out and interrupted, still inside the function, within the grace. */
    private static final int INTERRUPTED = 2;
    private static final int ABANDONED = 3;
    private static final int ENDED = 4;

    private final ExecutorService userThreads;
    private final ScheduledExecutorService timers;
    private final RunDeadlines deadlines;
    private final Clock clock;
    private final int maxAbandoned;
    /** Set by {@link #close()}: runs failing from then on were interrupted by the stop. */
    private volatile boolean closed;
    private final Counters counters;
    private final Runnable onLimit;
    private final AtomicInteger abandoned = new AtomicInteger();
    /** Runs whose outcome is still open. */
    private final AtomicInteger running = new AtomicInteger();
    /** Timed-out runs still inside the function (interrupted or abandoned). */
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicBoolean limitReported = new AtomicBoolean();

    /** An invoker that counts nothing and has no bound: for runtimes' own tests. */
    public Invoker(ExecutorService userThreads, ScheduledExecutorService timers, Clock clock) {
        this(userThreads, timers, clock, Integer.MAX_VALUE, new Counters(), () -> { });
    }

    /**
     * @param userThreads  where functions run; should make daemon threads, since abandoned ones are never joined
     * @param maxAbandoned abandoned runs still holding threads at which {@code onLimit} runs (at least 1)
     * @param counters     where abandoned runs are counted (the pool's)
     * @param onLimit      told once, on a timer thread, when {@code maxAbandoned} is reached; must not block
     */
    public Invoker(ExecutorService userThreads, ScheduledExecutorService timers, Clock clock, int maxAbandoned,
            Counters counters, Runnable onLimit) {
        if (maxAbandoned < 1) {
            throw new IllegalArgumentException("maxAbandoned must be at least 1: " + maxAbandoned);
        }
        this.userThreads = userThreads;
        this.timers = timers;
        this.deadlines = new RunDeadlines(timers);
        this.clock = clock;
        this.maxAbandoned = maxAbandoned;
        this.counters = counters;
        this.onLimit = onLimit;
    }

    /** Runs {@code function} on a user thread; the future completes with its outcome, never exceptionally. */
    public CompletableFuture<Outcome> run(Function function, Invocation invocation, long timeoutMs) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Instant startedAt = clock.instant();
        long startNanos = System.nanoTime();
        AtomicInteger state = new AtomicInteger(NOT_STARTED);
        Future<?> task;
        running.incrementAndGet();
        outcome.whenComplete((done, error) -> running.decrementAndGet());
        try {
            task = userThreads.submit(() -> call(function, invocation, startedAt, outcome, state));
        } catch (RejectedExecutionException e) {
            // After close() no run starts: what was handed over is given back, not failed.
            outcome.complete(Outcome.failed(closed ? new WorkerStoppedException(e) : e, startedAt, clock.instant(),
                    0));
            return outcome;
        }
        Runnable expire = () -> {
            long micros = (System.nanoTime() - startNanos) / 1000;
            held.incrementAndGet();
            if (!state.compareAndSet(RUNNING, INTERRUPTED)) {
                held.decrementAndGet();
            }
            if (outcome.complete(Outcome.timedOut(timeoutMs, startedAt, clock.instant(), micros))) {
                task.cancel(true);
                timers.schedule(() -> checkAbandoned(state), ABANDON_GRACE_MS, TimeUnit.MILLISECONDS);
            } else if (state.compareAndSet(INTERRUPTED, RUNNING)) {
                // The function's own outcome won the race: it was not timed out after all.
                held.decrementAndGet();
            }
        };
        // What follows a timeout (writing the result, maybe a first metadata fetch) runs on a user thread, so the
        // one timer thread of the process is never held up.
        RunDeadlines.Deadline deadline = deadlines.add(timeoutMs, () -> {
            try {
                userThreads.execute(expire);
            } catch (RejectedExecutionException e) {
                expire.run();
            }
        });
        outcome.whenComplete((done, error) -> deadlines.remove(deadline));
        return outcome;
    }

    /** Runs that ignored their interrupt and still hold one of this invoker's threads. */
    public int abandonedThreads() {
        return abandoned.get();
    }

    /**
     * Whether a replica may start another run now: always while no timed-out run holds a thread; otherwise only
     * while held and running runs together stay under {@code maxAbandoned}.
     */
    public boolean mayStartRun() {
        int stuck = held.get();
        return stuck <= 0 || stuck + running.get() < maxAbandoned;
    }

    public int maxAbandoned() {
        return maxAbandoned;
    }

    /**
     * Stops taking runs and interrupts the ones inside a function; threads that ignore the interrupt are left to end
     * on their own. A run that ends by failing after this is the stop's doing, not the function's: its outcome's
     * failure is a {@link WorkerStoppedException}.
     */
    @Override
    public void close() {
        closed = true;
        userThreads.shutdownNow();
    }

    private void checkAbandoned(AtomicInteger state) {
        if (!state.compareAndSet(INTERRUPTED, ABANDONED)) {
            return;
        }
        counters.abandoned();
        int live = abandoned.incrementAndGet();
        if (live >= maxAbandoned && limitReported.compareAndSet(false, true)) {
            onLimit.run();
        }
    }

    private void call(Function function, Invocation invocation, Instant startedAt, CompletableFuture<Outcome> outcome,
            AtomicInteger state) {
        if (!state.compareAndSet(NOT_STARTED, RUNNING)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            byte[] output = function.apply(invocation);
            long micros = (System.nanoTime() - t0) / 1000;
            outcome.complete(Outcome.succeeded(output, invocation.outputContentType(), startedAt, clock.instant(),
                    micros));
        } catch (Throwable t) {
            long micros = (System.nanoTime() - t0) / 1000;
            // After a timeout the interrupt we sent surfaces here; the TIMED_OUT outcome already won.
            outcome.complete(Outcome.failed(closed ? new WorkerStoppedException(t) : t, startedAt, clock.instant(),
                    micros));
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            int last = state.getAndSet(ENDED);
            if (last == INTERRUPTED || last == ABANDONED) {
                held.decrementAndGet();
            }
            if (last == ABANDONED) {
                abandoned.decrementAndGet();
                counters.abandonedEnded();
            }
        }
    }
}
