package dev.ferry.autoscaler;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies another actuator's decisions off the caller's thread, latest-wins per pool ({@link PoolRef}: a function's
 * worker pool and each trigger's pool are apart, so a trigger's decision never replaces its function's): while a function's
 * resize runs, newer decisions for it replace each other and only the last is applied when the running one ends;
 * different functions are resized in parallel (up to {@code threads} at once). So one function's slow scale-down
 * (a pool waits for its replicas' running invocations) never holds back another function's decision, and a pool
 * is never walked through sizes that were already out of date (issue 13).
 *
 * <p>Every decision is applied eventually unless a newer one for the same function replaced it; {@link #close}
 * waits up to 30 s for the running resizes and drops what was still waiting.
 */
public final class AsyncActuator implements Actuator {

    private static final Logger log = LoggerFactory.getLogger(AsyncActuator.class);

    /** What to do next for one function: apply a decision, or remove it ({@code decision == null}). */
    private record Step(ScalingDecision decision, PoolRef removed) {
    }

    private final Actuator target;
    private final ExecutorService executor;
    private final Map<PoolRef, Step> waiting = new ConcurrentHashMap<>();
    private final Map<PoolRef, Boolean> running = new ConcurrentHashMap<>();

    public AsyncActuator(Actuator target, int threads) {
        this.target = target;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.numbered("ferry-autoscaler-actuator-"));
        pool.allowCoreThreadTimeOut(true); // an idle autoscaler holds no resize threads
        this.executor = pool;
    }

    @Override
    public String name() {
        return target.name();
    }

    @Override
    public void apply(ScalingDecision decision) {
        submit(PoolRef.of(decision), new Step(decision, null));
    }

    @Override
    public void remove(FunctionRef ref) {
        remove(PoolRef.of(ref));
    }

    @Override
    public void remove(PoolRef pool) {
        submit(pool, new Step(null, pool));
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Resizes still running after 30 s: {}", running.keySet());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        target.close();
    }

    private void submit(PoolRef ref, Step step) {
        waiting.put(ref, step);
        if (running.putIfAbsent(ref, Boolean.TRUE) == null) {
            executor.execute(() -> drain(ref));
        }
    }

    /** Applies the latest step of {@code ref} until none waits; only one drain per function runs at a time. */
    private void drain(PoolRef ref) {
        while (true) {
            Step step = waiting.remove(ref);
            if (step == null) {
                running.remove(ref);
                // A step put after remove() above but before this point found us running: take it on.
                if (!waiting.containsKey(ref) || running.putIfAbsent(ref, Boolean.TRUE) != null) {
                    return;
                }
                continue;
            }
            try {
                if (step.decision() != null) {
                    target.apply(step.decision());
                } else {
                    target.remove(step.removed());
                }
            } catch (RuntimeException e) {
                log.error("[pool={}] actuator {} failed", ref, target.name(), e);
            }
        }
    }
}
