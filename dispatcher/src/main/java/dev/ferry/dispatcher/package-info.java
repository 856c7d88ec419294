/**
 * The dispatcher: routes {@code ferry.invocations} onto the per-function work topics, exactly once, and answers
 * bad invocations with a REJECTED result or a dead letter. {@link dev.ferry.dispatcher.Dispatcher} is the service;
 * {@link dev.ferry.dispatcher.PartitionStrategy} and {@link dev.ferry.dispatcher.PartitionStrategies} choose the
 * partition of each routed invocation.
 *
 * <p>Depends on {@code dev.ferry.core}, {@code dev.ferry.schemas} and kafka-clients; its implementation lives in
 * {@code dev.ferry.dispatcher.internal}, which no other module may import.
 */
package dev.ferry.dispatcher;
