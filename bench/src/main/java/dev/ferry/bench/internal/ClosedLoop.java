package dev.ferry.bench.internal;

import dev.ferry.core.DaemonThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: {@code concurrency} callers, each sending its next request as soon as the last one is
 * answered, until {@code total} have been answered. Latencies in microseconds.
 */
final class ClosedLoop {

    /** One synchronous call; throws when the call failed. */
    interface Call {
        void call() throws Exception;
    }

    private ClosedLoop() {
    }

    static Histogram run(int concurrency, int total, Call call) throws Exception {
        Histogram latencies = new ConcurrentHistogram(3);
        AtomicInteger issued = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(concurrency, DaemonThreads.factory("bench-caller"));
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                running.add(callers.submit(() -> {
                    while (issued.getAndIncrement() < total) {
                        long start = System.nanoTime();
                        call.call();
                        latencies.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
                    }
                    return null;
                }));
            }
            for (Future<?> caller : running) {
                caller.get(5, TimeUnit.MINUTES);
            }
        } finally {
            callers.shutdownNow();
        }
        return latencies;
    }
}
