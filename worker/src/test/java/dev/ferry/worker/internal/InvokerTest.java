package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.schemas.InvocationStatus;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InvokerTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Invoker invoker = new Invoker(threads, timers, Clock.systemUTC());

    /** Spinning functions of these tests run while this is set; cleared after each test so their threads end. */
    private static volatile boolean spin;

    @AfterEach
    void stop() {
        spin = false;
        threads.shutdownNow();
        timers.shutdownNow();
    }

    static Invocation invocation(String payload) {
        return new Invocation("id-1", payload.getBytes(StandardCharsets.UTF_8), "text/plain", null, Map.of(),
                Map.of(), 1, null, Instant.now().plusSeconds(30));
    }

    /**
     * A run the worker's stop interrupts is not the function's failure (a user's rolling restart used up an attempt
     * and billed it): its outcome says the worker stopped, and so does a run handed over after the stop.
     */
    @Test
    void shouldSayTheWorkerStoppedWhenTheStopInterruptsARunOrRefusesANewOne() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        var running = invoker.run(in -> {
            inside.countDown();
            Thread.sleep(30_000);
            return in.payload();
        }, invocation("x"), 60_000);
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        invoker.close();

        Outcome stopped = running.get(10, TimeUnit.SECONDS);
        assertThat(stopped.failure()).isInstanceOf(WorkerStoppedException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(invoker.run(in -> in.payload(), invocation("y"), 5_000).join().failure())
                .isInstanceOf(WorkerStoppedException.class);
    }

    @Test
    void shouldStillFailAsTheFunctionDidWhenNothingStops() {
        Outcome outcome = invoker.run(in -> {
            throw new InterruptedException("the function's own");
        }, invocation("x"), 5_000).join();

        assertThat(outcome.failure()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void shouldReturnTheOutputWhenTheFunctionSucceeds() {
        Outcome outcome = invoker.run(in -> in.payload(), invocation("hi"), 5_000).join();

        assertThat(outcome.status()).isEqualTo(InvocationStatus.SUCCEEDED);
        assertThat(outcome.output()).asString(StandardCharsets.UTF_8).isEqualTo("hi");
        assertThat(outcome.contentType()).isEqualTo("text/plain");
        assertThat(outcome.durationMicros()).isGreaterThanOrEqualTo(0);
        assertThat(outcome.finishedAt()).isAfterOrEqualTo(outcome.startedAt());
    }

    @Test
    void shouldFailWithTheMessageWhenTheFunctionThrowsAnError() {
        Function broken = in -> {
            throw new StackOverflowError("deep");
        };

        Outcome outcome = invoker.run(broken, invocation("x"), 5_000).join();

        assertThat(outcome.status()).isEqualTo(InvocationStatus.FAILED);
        assertThat(outcome.error()).contains("StackOverflowError").contains("deep");
        assertThat(outcome.errorClass()).isEqualTo(StackOverflowError.class.getName());
    }

    @Test
    void shouldTimeOutAndInterruptWhenTheFunctionRunsTooLong() throws InterruptedException {
        CountDownLatch interrupted = new CountDownLatch(1);
        Function slow = in -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return null;
        };

        Outcome outcome = invoker.run(slow, invocation("x"), 100).join();

        assertThat(outcome.status()).isEqualTo(InvocationStatus.TIMED_OUT);
        assertThat(outcome.error()).contains("100 ms");
        assertThat(outcome.durationMicros()).isGreaterThanOrEqualTo(100_000);
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * A timer task per run woke the process's timer thread for most invocations of a fast function (issue 16): runs
     * that end within their timeout now leave the timer thread alone but for one check per timeout.
     */
    @Test
    void shouldNotScheduleATimerPerRunWhenRunsEndWithinTheirTimeout() {
        AtomicInteger scheduled = new AtomicInteger();
        ScheduledThreadPoolExecutor counting = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                scheduled.incrementAndGet();
                return super.schedule(command, delay, unit);
            }
        };
        counting.setRemoveOnCancelPolicy(true);
        try {
            Invoker fast = new Invoker(threads, counting, Clock.systemUTC());
            for (int i = 0; i < 1_000; i++) {
                assertThat(fast.run(in -> in.payload(), invocation("x"), 60_000).join().status())
                        .isEqualTo(InvocationStatus.SUCCEEDED);
            }

            assertThat(scheduled).hasValueLessThanOrEqualTo(1);
        } finally {
            counting.shutdownNow();
        }
    }

    @Test
    void shouldMeasureTheCallWhenTheFunctionTakesTime() {
        Function sleepy = in -> {
            Thread.sleep(50);
            return new byte[0];
        };

        Outcome outcome = invoker.run(sleepy, invocation("x"), 5_000).join();

        assertThat(outcome.durationMicros()).isBetween(50_000L, 2_000_000L);
    }

    @Test
    void shouldUseTheContentTypeTheFunctionSetWhenItSetsOne() {
        Function json = in -> {
            in.outputContentType("application/json");
            return "{}".getBytes(StandardCharsets.UTF_8);
        };

        assertThat(invoker.run(json, invocation("x"), 5_000).join().contentType()).isEqualTo("application/json");
    }

    /** Busy code that never looks at its interrupt, like a tight loop in user code. */
    private static final Function STUBBORN = in -> {
        while (spin) {
            Thread.onSpinWait();
        }
        return new byte[0];
    };

    @Test
    void shouldCountAbandonedRunsAndReportTheLimitOnceWhenFunctionsIgnoreTheirInterrupt() {
        spin = true;
        Counters counters = new Counters();
        AtomicInteger limitReports = new AtomicInteger();
        Invoker bounded = new Invoker(threads, timers, Clock.systemUTC(), 2, counters, limitReports::incrementAndGet);

        Outcome first = bounded.run(STUBBORN, invocation("x"), 50).join();
        assertThat(first.status()).isEqualTo(InvocationStatus.TIMED_OUT);
        await().atMost(Duration.ofSeconds(10)).until(() -> bounded.abandonedThreads() == 1);
        assertThat(limitReports).hasValue(0);

        assertThat(bounded.run(STUBBORN, invocation("x"), 50).join().status()).isEqualTo(InvocationStatus.TIMED_OUT);
        assertThat(bounded.run(STUBBORN, invocation("x"), 50).join().status()).isEqualTo(InvocationStatus.TIMED_OUT);
        await().atMost(Duration.ofSeconds(10)).until(() -> counters.abandonedRuns() == 3);
        assertThat(limitReports).as("told once, when the bound is reached").hasValue(1);
        assertThat(counters.abandonedThreads()).isEqualTo(3);

        spin = false;
        await().atMost(Duration.ofSeconds(10)).until(() -> bounded.abandonedThreads() == 0
                && counters.abandonedThreads() == 0);
        assertThat(counters.abandonedRuns()).as("a total, not a level").isEqualTo(3);
    }

    @Test
    void shouldNotCountARunAsAbandonedWhenItHonoursTheInterrupt() {
        Counters counters = new Counters();
        Invoker bounded = new Invoker(threads, timers, Clock.systemUTC(), 1, counters, () -> {
            throw new AssertionError("no run was abandoned");
        });
        Function polite = in -> {
            Thread.sleep(60_000);
            return null;
        };

        assertThat(bounded.run(polite, invocation("x"), 50).join().status()).isEqualTo(InvocationStatus.TIMED_OUT);

        // Past the grace after the interrupt, the run is still not counted.
        await().during(Duration.ofMillis(Invoker.ABANDON_GRACE_MS + 500)).atMost(Duration.ofSeconds(5))
                .until(() -> counters.abandonedRuns() == 0 && bounded.abandonedThreads() == 0);
    }
}
