/**
 * Ferry's worker: pools of replicas that consume a function's work topic, run it and write one
 * {@code InvocationResult} per attempt to {@code ferry.results}.
 *
 * <p>Users implement {@link dev.ferry.worker.Function}; services run a {@link dev.ferry.worker.WorkerService}
 * (or single {@link dev.ferry.worker.WorkerPool}s) over one {@link dev.ferry.worker.WorkerContext}.
 *
 * <p>Depends on {@code dev.ferry.core} and {@code dev.ferry.schemas}; its {@code internal} package holds the
 * replicas, runtimes and retry machinery and is not API.
 */
package dev.ferry.worker;
