package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.InvocationRequest;

/** Each partition in turn. One instance serves one function, so the turns of two functions never interleave. */
public final class RoundRobinStrategy implements PartitionStrategy {

    private long next;

    @Override
    public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
        return (int) Math.floorMod(next++, (long) partitions);
    }
}
