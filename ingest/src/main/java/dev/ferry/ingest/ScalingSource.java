package dev.ferry.ingest;

import dev.ferry.core.FunctionRef;
import java.util.List;
import java.util.Optional;

/**
 * Where the gateway learns a function's current replicas, desired size and lag (for {@code GET /v1/scaling} and
 * {@code GET /v1/functions/{name}}): the autoscaler, wired in by whoever assembles the gateway. Until one is wired,
 * {@code /v1/scaling} answers 503 and function details show unknown (null) values.
 *
 * <p>Called on HTTP threads, possibly concurrently; answers should come from memory. The gateway passes only
 * the authenticated caller's tenant.
 */
public interface ScalingSource {

    /** The scaling state of one function; empty when nothing is known of it yet. */
    Optional<FunctionScaling> function(FunctionRef ref);

    /** The scaling state of every function of a tenant that the source knows. */
    List<FunctionScaling> tenant(String tenant);
}
