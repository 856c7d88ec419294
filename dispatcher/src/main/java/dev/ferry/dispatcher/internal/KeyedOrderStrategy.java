package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.InvocationRequest;

/**
 * The strategy of an {@code ORDERED} function: an invocation with a key goes to its key's partition (murmur2, as
 * {@link KeyAffinityStrategy}), whatever strategy the function or the operator's default names; the named
 * strategy places only the invocations without a key. The README promises that the same key of an ORDERED
 * function runs in order, and order holds only within a partition: round-robin, least-lag and weighted-random
 * ignore the key, and spread a tester's twelve calls with one key two per partition over six. An operator's own
 * strategy class is bypassed for keyed calls alike, since the dispatcher cannot tell whether it keeps a key on one
 * partition (docs/design.md, section 4, {@code partitionStrategy}).
 */
final class KeyedOrderStrategy implements PartitionStrategy {

    private final PartitionStrategy unkeyed;

    KeyedOrderStrategy(PartitionStrategy unkeyed) {
        this.unkeyed = unkeyed;
    }

    /** The strategy that places invocations without a key. */
    PartitionStrategy unkeyed() {
        return unkeyed;
    }

    @Override
    public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
        return request.getKey() != null
                ? KeyAffinityStrategy.forKey(request.getKey(), partitions)
                : unkeyed.partition(request, partitions, load);
    }
}
