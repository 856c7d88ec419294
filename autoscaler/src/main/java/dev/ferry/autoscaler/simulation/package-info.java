/**
 * A deterministic, trace-driven simulator of a worker pool, without Kafka: arrival traces through a queue model
 * with replica start-up delay, sized once by Ferry's {@link dev.ferry.autoscaler.ScalingController} and once by a
 * KEDA-equivalent baseline, compared on replica-seconds, lag-seconds, p99 queueing delay and direction changes.
 * {@link dev.ferry.autoscaler.simulation.SimulationReport#main} writes the table and an SVG chart.
 *
 * <p>May depend on {@code dev.ferry.autoscaler}, {@code dev.ferry.core} and {@code dev.ferry.schemas}.
 */
package dev.ferry.autoscaler.simulation;
