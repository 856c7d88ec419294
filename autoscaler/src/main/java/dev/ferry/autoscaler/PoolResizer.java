package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;

/**
 * Resizes the worker pool of a function running in this process, and the pool of a trigger running here (issue
 * 14). Kept as a small seam so the autoscaler does not need the worker module to be tested, and the command line
 * can wire any pool implementation in.
 */
@FunctionalInterface
public interface PoolResizer {

    /** Sets the pool of {@code ref} to {@code replicas}; a function with no pool here is ignored. */
    void resize(FunctionRef ref, int replicas);

    /**
     * Sets the pool of trigger {@code ref} to {@code replicas}; a trigger with no pool here is ignored. The default
     * ignores every trigger: a resizer of worker pools alone.
     */
    default void resize(TriggerRef ref, int replicas) {
    }
}
