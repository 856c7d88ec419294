package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;

/**
 * Applies scaling decisions, following the compacted {@code ferry.scaling} topic.
 *
 * <p>Two kinds of pool get decisions ({@link PoolRef}): a function's worker pool, and a trigger's pool (issue 14),
 * whose decision has {@code trigger} set to the trigger's name ({@code function} is then the function it runs,
 * not the pool to resize). An actuator must never apply a trigger's decision to the function's pool.
 *
 * <p>Lifecycle: {@link #apply} is called for every decision in topic order, from one thread; on start the latest
 * decision of every function is replayed, so {@code apply} must be idempotent (set the size, never add to it).
 * {@link #remove} follows the tombstone of a removed function. {@link #close} releases what the actuator holds,
 * not the pools it sized. An actuator that fails logs and carries on: the next decision is a new chance.
 */
public interface Actuator extends AutoCloseable {

    /** Short name for logs and configuration ({@code autoscaler.actuator}). */
    String name();

    /**
     * Sets the pool of {@code PoolRef.of(decision)} to {@code decision.getTo()} replicas: the function's, or the
     * trigger's when {@code decision.getTrigger()} is set.
     */
    void apply(ScalingDecision decision);

    /** The function was removed: its pool should go (or at least hold no replicas). */
    void remove(FunctionRef ref);

    /**
     * The pool is gone (a function removed; a trigger removed, disabled or left without its function): it should
     * hold no replicas. For a function's pool the same as {@link #remove(FunctionRef)}; the default does nothing
     * for a trigger's pool, which suits an actuator that sizes no trigger pools.
     */
    default void remove(PoolRef pool) {
        pool.function().ifPresent(this::remove);
    }

    @Override
    default void close() {
    }
}
