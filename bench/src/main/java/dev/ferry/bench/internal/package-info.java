/**
 * The scenarios, their raw-Kafka baselines, and the statistics and report around them. Used by
 * {@link dev.ferry.bench.Bench} only; may depend on what {@code dev.ferry.bench} may.
 */
package dev.ferry.bench.internal;
