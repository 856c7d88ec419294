package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;

/**
 * Resizes the worker pool of a function running in this process. Kept as a one-method seam so the autoscaler does
 * not need the worker module to be tested, and the command line can wire any pool implementation in.
 */
@FunctionalInterface
public interface PoolResizer {

    /** Sets the pool of {@code ref} to {@code replicas}; a function with no pool here is ignored. */
    void resize(FunctionRef ref, int replicas);
}
