package dev.ferry.worker.internal;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;

/**
 * Turns a {@link FunctionSpec}'s handler into something a replica can call. One implementation per
 * {@code FunctionSpec.runtime}; a replica asks once, when it starts, and closes the function when it stops.
 */
public interface FunctionRuntime {

    /**
     * Creates the function for one replica.
     *
     * @throws FunctionUnavailableException when the handler cannot run here (unknown class, runtime disabled)
     */
    Function create(FunctionSpec spec);
}
