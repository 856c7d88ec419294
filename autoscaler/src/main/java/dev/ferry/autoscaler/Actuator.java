package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;

/**
 * Applies scaling decisions, following the compacted {@code ferry.scaling} topic.
 *
 * <p>Lifecycle: {@link #apply} is called for every decision in topic order, from one thread; on start the latest
 * decision of every function is replayed, so {@code apply} must be idempotent (set the size, never add to it).
 * {@link #remove} follows the tombstone of a removed function. {@link #close} releases what the actuator holds,
 * not the pools it sized. An actuator that fails logs and carries on: the next decision is a new chance.
 */
public interface Actuator extends AutoCloseable {

    /** Short name for logs and configuration ({@code autoscaler.actuator}). */
    String name();

    /** Sets the function's pool to {@code decision.getTo()} replicas. */
    void apply(ScalingDecision decision);

    /** The function was removed: its pool should go (or at least hold no replicas). */
    void remove(FunctionRef ref);

    @Override
    default void close() {
    }
}
