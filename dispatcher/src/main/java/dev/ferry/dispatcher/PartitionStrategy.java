package dev.ferry.dispatcher;

import dev.ferry.schemas.InvocationRequest;
import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * Chooses the partition of a function's work topic for each invocation the dispatcher routes there.
 *
 * <p>Lifecycle: the dispatcher creates one instance per function (by name, with
 * {@link PartitionStrategies#create}) the first time it routes to that function, and a new one when the function
 * is redeployed with another strategy name; the old instance is then dropped, without a close call. An instance is
 * called only from its dispatcher's routing thread, one invocation at a time, so it may keep plain mutable state
 * (a counter) without synchronization. It runs once per invocation on the hot path: no I/O, no blocking.
 *
 * <p>For an {@code ORDERED} function the dispatcher asks the strategy only about invocations without a key: a keyed
 * one goes to its key's partition (murmur2 of its UTF-8 bytes, as {@code key-affinity}), since the same key of an
 * ORDERED function runs in order only within one partition. A strategy therefore cannot break that promise, and
 * cannot move an ORDERED function's keys either.
 *
 * <p>The partition count may change between calls (a function redeployed with more partitions); an
 * implementation must not cache it.
 */
@InterfaceStability.Evolving
@FunctionalInterface
public interface PartitionStrategy {

    /**
     * The partition for {@code request}.
     *
     * @param request the decoded, validated invocation; its {@code key} is null when the caller gave none
     * @param partitions the number of partitions of the function's work topic, at least 1
     * @param load the backlog estimate of each partition; never null
     * @return a partition in {@code [0, partitions)}
     */
    int partition(InvocationRequest request, int partitions, PartitionLoad load);
}
