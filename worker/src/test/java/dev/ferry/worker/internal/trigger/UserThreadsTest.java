package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UserThreadsTest {

    @Test
    void shouldRunWhatATaskHandsOverOnItsOwnThreadOnceItEnds() throws Exception {
        UserThreads threads = new UserThreads(r -> new Thread(r, "user"));
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> second = new CompletableFuture<>();
        CompletableFuture<Thread> first = new CompletableFuture<>();
        threads.execute(() -> {
            threads.execute(() -> {
                order.add("second");
                second.complete(Thread.currentThread());
            });
            order.add("first ends");
            first.complete(Thread.currentThread());
        });
        assertThat(second.get(10, TimeUnit.SECONDS)).isSameAs(first.get(10, TimeUnit.SECONDS));
        assertThat(order).containsExactly("first ends", "second");
        threads.shutdownNow();
    }

    @Test
    void shouldClearAnInterruptLeftByTheTaskBeforeTheNextOneRuns() throws Exception {
        UserThreads threads = new UserThreads(r -> new Thread(r, "user"));
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        threads.execute(() -> {
            threads.execute(() -> interrupted.complete(Thread.currentThread().isInterrupted()));
            Thread.currentThread().interrupt();
        });
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        threads.shutdownNow();
    }

    @Test
    void shouldRefuseHandOversAfterShutdown() {
        UserThreads threads = new UserThreads(r -> new Thread(r, "user"));
        threads.shutdown();
        assertThatThrownBy(() -> threads.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
