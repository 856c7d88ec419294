/**
 * The worker's machinery, not API: share-group and consumer-group replicas, the one wrapper that runs user code
 * ({@link dev.ferry.worker.internal.Invoker}), the failure handler and its decisions, the runtimes (JAVA, HTTP,
 * PROCESS), the ordered-commit tracker and the retry tiers.
 *
 * <p>May depend on {@code dev.ferry.worker}'s public types, {@code dev.ferry.core} and {@code dev.ferry.schemas}.
 */
package dev.ferry.worker.internal;
