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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one place user code runs (STYLE.md: "All user code runs through one wrapper"). Every {@link Throwable} a
 * function throws becomes a {@code FAILED} outcome; a run past its timeout becomes {@code TIMED_OUT} at once, and
 * its thread is interrupted and abandoned: code that ignores interrupts keeps its thread, never the invocation.
 */
public final class Invoker {

    private final ExecutorService userThreads;
    private final ScheduledExecutorService timers;
    private final Clock clock;

    public Invoker(ExecutorService userThreads, ScheduledExecutorService timers, Clock clock) {
        this.userThreads = userThreads;
        this.timers = timers;
        this.clock = clock;
    }

    /** Runs {@code function} on a user thread; the future completes with its outcome, never exceptionally. */
    public CompletableFuture<Outcome> run(Function function, Invocation invocation, long timeoutMs) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Instant startedAt = clock.instant();
        long startNanos = System.nanoTime();
        Future<?> task;
        try {
            task = userThreads.submit(() -> call(function, invocation, startedAt, outcome));
        } catch (RejectedExecutionException e) {
            outcome.complete(Outcome.failed(e, startedAt, clock.instant(), 0));
            return outcome;
        }
        Runnable expire = () -> {
            long micros = (System.nanoTime() - startNanos) / 1000;
            if (outcome.complete(Outcome.timedOut(timeoutMs, startedAt, clock.instant(), micros))) {
                task.cancel(true);
            }
        };
        // What follows a timeout (writing the result, maybe a first metadata fetch) runs on a user thread, so the
        // one timer thread of the process is never held up.
        ScheduledFuture<?> timer = timers.schedule(() -> {
            try {
                userThreads.execute(expire);
            } catch (RejectedExecutionException e) {
                expire.run();
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        outcome.whenComplete((done, error) -> timer.cancel(false));
        return outcome;
    }

    private void call(Function function, Invocation invocation, Instant startedAt, CompletableFuture<Outcome> outcome) {
        long t0 = System.nanoTime();
        try {
            byte[] output = function.apply(invocation);
            long micros = (System.nanoTime() - t0) / 1000;
            outcome.complete(Outcome.succeeded(output, invocation.outputContentType(), startedAt, clock.instant(),
                    micros));
        } catch (Throwable t) {
            long micros = (System.nanoTime() - t0) / 1000;
            // After a timeout the interrupt we sent surfaces here; the TIMED_OUT outcome already won.
            outcome.complete(Outcome.failed(t, startedAt, clock.instant(), micros));
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
