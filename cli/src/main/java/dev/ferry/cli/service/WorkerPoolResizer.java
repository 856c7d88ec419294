package dev.ferry.cli.service;

import dev.ferry.autoscaler.PoolRef;
import dev.ferry.autoscaler.PoolResizer;
import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.worker.TriggerService;
import dev.ferry.worker.WorkerService;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's in-process actuator joined to the worker module: resizes the pools of a {@link WorkerService}
 * in this process, and the trigger pools of a {@link TriggerService} (issue 14: a decision with {@code trigger}
 * set reaches {@code TriggerService.pool(TriggerRef)}, never the function's worker pool). It lives where the
 * services are assembled, so the autoscaler does not depend on the worker (issue 13); the autoscaler's
 * {@code AsyncActuator} calls it off the {@code ferry.scaling} follower thread, latest-wins per pool. The services
 * create a pool on their own thread when the deploy (or the trigger) reaches them, so a decision can arrive
 * first: it is kept and applied once the pool exists (checked every {@code retryMs}). Decisions are only made when
 * a size changes, so one dropped here would leave the pool at its initial size.
 */
final class WorkerPoolResizer implements PoolResizer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerPoolResizer.class);

    private final WorkerService workers;
    private final TriggerService triggers;
    private final Map<PoolRef, Integer> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.factory("ferry-autoscaler-pool-resizer"));

    /** A resizer of worker pools alone: trigger decisions are ignored. */
    WorkerPoolResizer(WorkerService workers, long retryMs) {
        this(workers, null, retryMs);
    }

    /**
     * @param triggers this process's trigger pools; {@code null} when none run here (trigger decisions are then
     *        ignored)
     */
    WorkerPoolResizer(WorkerService workers, TriggerService triggers, long retryMs) {
        this.workers = workers;
        this.triggers = triggers;
        retries.scheduleWithFixedDelay(this::retryPending, retryMs, retryMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void resize(FunctionRef ref, int replicas) {
        resize(PoolRef.of(ref), replicas);
    }

    @Override
    public void resize(TriggerRef ref, int replicas) {
        if (triggers != null) {
            resize(PoolRef.of(ref), replicas);
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }

    private void resize(PoolRef ref, int replicas) {
        Optional<IntConsumer> pool = pool(ref);
        if (pool.isPresent()) {
            pending.remove(ref);
            pool.get().accept(replicas);
        } else if (replicas > 0) {
            log.info("[pool={}] no pool yet; will resize it to {} when it starts", ref, replicas);
            pending.put(ref, replicas);
        } else {
            pending.remove(ref);
        }
    }

    /** How to resize the pool of {@code ref} here, if it runs here. */
    private Optional<IntConsumer> pool(PoolRef ref) {
        if (ref.trigger()) {
            return ref.triggerRef().flatMap(triggers::pool).map(p -> p::resize);
        }
        return ref.function().flatMap(workers::pool).map(p -> p::resize);
    }

    private void retryPending() {
        pending.forEach((ref, replicas) -> pool(ref).ifPresent(pool -> {
            if (pending.remove(ref, replicas)) {
                try {
                    pool.accept(replicas);
                } catch (RuntimeException e) {
                    log.error("[pool={}] cannot resize pool to {}", ref, replicas, e);
                }
            }
        }));
    }
}
