/**
 * The autoscaler: sizes each function's worker group from its consumer lag.
 *
 * <p>{@link dev.ferry.autoscaler.LagCollector} reads every worker group's progress and publishes
 * {@code LagSample}s to {@code ferry.lag}; a {@link dev.ferry.autoscaler.ScalingPolicy}, run by a
 * {@link dev.ferry.autoscaler.ScalingController}, turns them into {@code ScalingDecision}s on {@code ferry.scaling};
 * an {@link dev.ferry.autoscaler.Actuator} applies them. {@link dev.ferry.autoscaler.AutoscalerService} runs the
 * three loops (collect, decide, act); {@link dev.ferry.autoscaler.ScalingView} is the read model behind the
 * gateway's {@code GET /v1/scaling}.
 *
 * <p>May depend on {@code dev.ferry.core} and {@code dev.ferry.schemas} only: the in-process actuator resizes pools
 * through {@link dev.ferry.autoscaler.PoolResizer}, which the command line joins to the worker module.
 */
package dev.ferry.autoscaler;
