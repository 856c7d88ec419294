package dev.ferry.bench.internal;

import dev.ferry.worker.WorkerPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes a real {@link WorkerPool} as a scaler decides, off the sampling thread: {@link WorkerPool#resize} blocks
 * while leaving replicas finish their work, and the scalers must keep sampling meanwhile. Only the latest size
 * asked for is applied. The size counts as paid for from the moment it is asked for, as a Deployment's pods are.
 */
final class PoolDriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PoolDriver.class);

    private final WorkerPool pool;
    private final AtomicInteger desired;
    private final ExecutorService resizer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bench-resizer");
        t.setDaemon(true);
        return t;
    });

    PoolDriver(WorkerPool pool, int initial) {
        this.pool = pool;
        this.desired = new AtomicInteger(initial);
    }

    int desired() {
        return desired.get();
    }

    void resize(int size) {
        if (desired.getAndSet(size) != size) {
            resizer.execute(() -> {
                int target = desired.get();
                try {
                    pool.resize(target);
                } catch (RuntimeException e) {
                    log.warn("Cannot resize {} to {}: {}", pool.ref(), target, e.toString());
                }
            });
        }
    }

    @Override
    public void close() {
        resizer.shutdown();
        try {
            resizer.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
