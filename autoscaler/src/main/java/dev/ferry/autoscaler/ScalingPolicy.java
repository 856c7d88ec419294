package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * Turns a pool's lag samples into the number of replicas it needs now: a function's worker pool, or a trigger's
 * pool (a sample whose {@code trigger} is set, with the spec {@link TriggerPools#poolSpec} gives).
 *
 * <p>Lifecycle: {@link #recommend} is called once per sample of a function, in the order the samples were taken,
 * from one thread at a time; a policy may keep per-function history between calls and must drop it on
 * {@link #forget}. A policy only says what the function needs: stabilization (up at once, down after a window, to
 * zero after an idle period), stall handling and the global budget are the {@link ScalingController}'s, so every
 * policy gets them alike. Policies are loaded by name ({@link ScalingPolicies#byName}).
 */
@InterfaceStability.Evolving
public interface ScalingPolicy {

    /** The name used in configuration ({@code autoscaler.policy}) and in each decision's {@code policy} field. */
    String name();

    /** The replicas the function needs given this sample, within its bounds, with the reason in words. */
    Recommendation recommend(FunctionSpec spec, LagSample sample);

    /**
     * {@link #recommend(FunctionSpec, LagSample)} knowing the pool's size in force: the replicas last decided for it,
     * which members still starting or leaving may not show yet in {@code sample.replicas}. The
     * {@link ScalingController} calls this one. A policy that weighs what a change of size costs (every change of a
     * group's members pauses its delivery while partitions move) compares with this size; the default ignores it.
     */
    default Recommendation recommend(FunctionSpec spec, LagSample sample, int sizeInForce) {
        return recommend(spec, sample);
    }

    /** The function was removed: drop whatever was learned about it. */
    void forget(FunctionRef ref);

    /**
     * The pool is gone: drop whatever was learned about it. For a function's pool the same as
     * {@link #forget(FunctionRef)}; a trigger's pool is sized by {@link #recommend} too (issue 14: with the
     * {@link TriggerPools#poolSpec} of the trigger and samples whose {@code trigger} is set), and a policy that keeps
     * history per pool drops the trigger's here. The default keeps nothing per trigger.
     */
    default void forget(PoolRef pool) {
        pool.function().ifPresent(this::forget);
    }
}
