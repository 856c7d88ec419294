package dev.ferry.cli.service;

import dev.ferry.autoscaler.PoolResizer;
import dev.ferry.core.FunctionRef;
import dev.ferry.worker.WorkerPool;
import dev.ferry.worker.WorkerService;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's in-process actuator joined to the worker module: resizes the pools of a {@link WorkerService}
 * in this process. It lives where the services are assembled, so the autoscaler does not depend on the worker
 * (issue 13); the autoscaler's {@code AsyncActuator} calls it off the {@code ferry.scaling} follower thread,
 * latest-wins per pool. The service creates a function's pool on its own
 * thread when the deploy reaches it, so a decision can arrive first: it is kept and applied once the pool exists
 * (checked every {@code retryMs}). Decisions are only made when a size changes, so one dropped here would leave the
 * pool at its initial size.
 */
final class WorkerPoolResizer implements PoolResizer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerPoolResizer.class);

    private final WorkerService workers;
    private final Map<FunctionRef, Integer> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ferry-autoscaler-pool-resizer");
        thread.setDaemon(true);
        return thread;
    });

    WorkerPoolResizer(WorkerService workers, long retryMs) {
        this.workers = workers;
        retries.scheduleWithFixedDelay(this::retryPending, retryMs, retryMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void resize(FunctionRef ref, int replicas) {
        Optional<WorkerPool> pool = workers.pool(ref);
        if (pool.isPresent()) {
            pending.remove(ref);
            pool.get().resize(replicas);
        } else if (replicas > 0) {
            log.info("[function={}] no pool yet; will resize it to {} when it starts", ref, replicas);
            pending.put(ref, replicas);
        } else {
            pending.remove(ref);
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }

    private void retryPending() {
        pending.forEach((ref, replicas) -> workers.pool(ref).ifPresent(pool -> {
            if (pending.remove(ref, replicas)) {
                try {
                    pool.resize(replicas);
                } catch (RuntimeException e) {
                    log.error("[function={}] cannot resize pool to {}", ref, replicas, e);
                }
            }
        }));
    }
}
