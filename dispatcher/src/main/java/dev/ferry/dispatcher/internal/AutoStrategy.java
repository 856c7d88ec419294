package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.InvocationRequest;
import java.util.random.RandomGenerator;

/**
 * Key affinity when the caller gave a key (it asked for ordering or locality), least lag otherwise (it asked for
 * nothing, so the dispatcher may balance).
 */
public final class AutoStrategy implements PartitionStrategy {

    private final KeyAffinityStrategy keyed = new KeyAffinityStrategy();
    private final LeastLagStrategy unkeyed;

    public AutoStrategy(RandomGenerator random) {
        this.unkeyed = new LeastLagStrategy(random);
    }

    @Override
    public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
        return request.getKey() != null
                ? keyed.partition(request, partitions, load)
                : unkeyed.partition(request, partitions, load);
    }
}
