package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunDeadlinesTest {

    /** The process's timer thread, counting what is scheduled on it. */
    private final CountingTimers timers = new CountingTimers();
    private final RunDeadlines deadlines = new RunDeadlines(timers);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void shouldTellAnExpiryOnceWhenARunOutlivesItsTimeout() {
        AtomicInteger expired = new AtomicInteger();
        long began = System.nanoTime();

        deadlines.add(200, expired::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> expired.get() == 1);
        assertThat(System.nanoTime() - began).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(deadlines.open()).isZero();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> expired.get() == 1);
    }

    @Test
    void shouldNeverTellTheExpiryOfARunThatEndedInTime() {
        AtomicInteger expired = new AtomicInteger();
        AtomicInteger laterExpired = new AtomicInteger();

        RunDeadlines.Deadline ended = deadlines.add(150, expired::incrementAndGet);
        deadlines.remove(ended);
        deadlines.add(300, laterExpired::incrementAndGet);

        // The check scheduled for the first deadline comes, finds nothing due, and waits for the second.
        await().atMost(Duration.ofSeconds(10)).until(() -> laterExpired.get() == 1);
        assertThat(expired).hasValue(0);
    }

    /** The point of the class (issue 16): runs that keep ending within their timeout do not each schedule a task. */
    @Test
    void shouldScheduleOneCheckForManyRunsThatEndWithinTheirTimeout() {
        AtomicInteger expired = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            deadlines.remove(deadlines.add(60_000, expired::incrementAndGet));
        }

        assertThat(timers.scheduled()).isEqualTo(1);
        assertThat(deadlines.open()).isZero();
        assertThat(expired).hasValue(0);
    }

    @Test
    void shouldExpireARunWithAShorterTimeoutBeforeTheCheckAlreadyScheduled() {
        AtomicInteger longExpired = new AtomicInteger();
        AtomicInteger shortExpired = new AtomicInteger();
        deadlines.add(60_000, longExpired::incrementAndGet);

        deadlines.add(100, shortExpired::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> shortExpired.get() == 1);
        assertThat(longExpired).hasValue(0);
        assertThat(deadlines.open()).isEqualTo(1);
    }

    @Test
    void shouldExpireEveryOverdueRunOnceWhileRunsAreAddedFromManyThreads() throws Exception {
        int threads = 4;
        int perThread = 500;
        AtomicIntegerArray expiries = new AtomicIntegerArray(threads * perThread);
        List<Thread> adders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * perThread;
            Thread adder = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int run = first + i;
                    RunDeadlines.Deadline deadline = deadlines.add(1 + i % 50, () -> expiries.incrementAndGet(run));
                    if (i % 2 == 0) {
                        deadlines.remove(deadline);
                    }
                }
            });
            adder.start();
            adders.add(adder);
        }
        for (Thread adder : adders) {
            adder.join();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> deadlines.open() == 0);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> deadlines.open() == 0);
        for (int run = 0; run < expiries.length(); run++) {
            // A run never removed expires exactly once; a removed one at most once (its deadline may pass first).
            if (run % perThread % 2 == 1) {
                assertThat(expiries.get(run)).as("run %d", run).isEqualTo(1);
            } else {
                assertThat(expiries.get(run)).as("run %d", run).isLessThanOrEqualTo(1);
            }
        }
    }

    private static final class CountingTimers extends ScheduledThreadPoolExecutor {
        private final AtomicInteger scheduled = new AtomicInteger();

        CountingTimers() {
            super(1);
            setRemoveOnCancelPolicy(true);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }

        int scheduled() {
            return scheduled.get();
        }
    }
}
