package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class UserThreadPoolTest {

    private final AtomicInteger made = new AtomicInteger();
    private final ThreadFactory factory = r -> {
        Thread t = new Thread(r, "user-" + made.incrementAndGet());
        t.setDaemon(true);
        return t;
    };
    private UserThreadPool pool = new UserThreadPool(factory);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A function's concurrency needs as many threads as runs that block: none may wait for another to end. */
    @RepeatedTest(5)
    void shouldRunEveryBlockedTaskAtOnceWhenTasksBlock() throws Exception {
        int runs = 32;
        CountDownLatch allInside = new CountDownLatch(runs);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < runs; i++) {
            pool.execute(() -> {
                allInside.countDown();
                waitFor(release);
            });
        }

        assertThat(allInside.await(10, TimeUnit.SECONDS)).as("all %d runs inside at once", runs).isTrue();
        release.countDown();
        assertThat(pool.threads()).isEqualTo(runs);
    }

    /**
     * The point of the pool (issue 16): a burst of quick tasks handed over from one thread wakes far fewer threads
     * than it has tasks, where a cached pool hands nearly each to a parked thread it wakes, or makes one.
     */
    @RepeatedTest(5)
    void shouldWakeFarFewerThreadsThanItRunsQuickTasks() throws Exception {
        AtomicInteger done = new AtomicInteger();
        for (int burst = 0; burst < 100; burst++) {
            for (int i = 0; i < 32; i++) {
                pool.execute(done::incrementAndGet);
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 3_200);
        assertThat(pool.wakes()).as("wake-ups for 3,200 quick tasks (%d threads made)", made.get()).isLessThan(800);
    }

    @RepeatedTest(5)
    void shouldRunEveryTaskOnceWhenManyThreadsHandOverAtOnce() throws Exception {
        int producers = 4;
        int each = 5_000;
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Thread producer = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    pool.execute(done::incrementAndGet);
                    if (i % 1_000 == 0) {
                        Thread.yield();
                    }
                }
            });
            producer.start();
            threads.add(producer);
        }
        for (Thread producer : threads) {
            producer.join();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == producers * each);
    }

    @Test
    void shouldRunATaskHandedOverAfterEveryThreadWentIdle() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        pool.execute(first::countDown);
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        // Wait until the thread has parked: nothing is searching the queue any more.
        Thread worker = await().atMost(Duration.ofSeconds(10)).until(() -> findThread("user-1"),
                t -> t != null && t.getState() == Thread.State.TIMED_WAITING);

        CountDownLatch second = new CountDownLatch(1);
        pool.execute(second::countDown);

        assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(made).as("the parked thread was woken, no new one made").hasValue(1);
        assertThat(worker.isAlive()).isTrue();
    }

    @Test
    void shouldEndIdleThreadsAfterTheirKeepAlive() throws Exception {
        pool.shutdownNow();
        pool = new UserThreadPool(factory, 100, TimeUnit.MILLISECONDS);
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> pool.threads() == 0);

        CountDownLatch again = new CountDownLatch(1);
        pool.execute(again::countDown);
        assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The Invoker cancels a timed-out run with an interrupt: it must reach that run and never the next one. */
    @Test
    void shouldInterruptACancelledRunButNotTheRunAfterIt() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Future<?> stuck = pool.submit(sleepUntilInterrupted(inside, interrupted));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        stuck.cancel(true);
        await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
        AtomicBoolean nextSawInterrupt = new AtomicBoolean(true);
        CountDownLatch next = new CountDownLatch(1);
        pool.execute(() -> {
            nextSawInterrupt.set(Thread.currentThread().isInterrupted());
            next.countDown();
        });

        assertThat(next.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(nextSawInterrupt).isFalse();
    }

    @Test
    void shouldRunQueuedTasksAndRefuseNewOnesAfterShutdown() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger done = new AtomicInteger();
        pool.execute(() -> waitFor(release));
        pool.execute(done::incrementAndGet);

        pool.shutdown();

        assertThatThrownBy(() -> pool.execute(done::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        release.countDown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(done).hasValue(1);
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void shouldInterruptRunningTasksOnShutdownNow() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        pool.execute(sleepUntilInterrupted(inside, interrupted));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        pool.shutdownNow();

        await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A run that says it is inside, then sleeps until an interrupt, which it records. */
    private static Runnable sleepUntilInterrupted(CountDownLatch inside, AtomicBoolean interrupted) {
        return () -> {
            inside.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        };
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread findThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElse(null);
    }
}
