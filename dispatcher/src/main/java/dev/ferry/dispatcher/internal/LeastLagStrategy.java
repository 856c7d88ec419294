package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.InvocationRequest;
import java.util.random.RandomGenerator;

/**
 * The power of two choices (Mitzenmacher, 2001): draw two distinct partitions at random and take the one with
 * less lag. Unlike always taking the global minimum, it does not send a whole burst to the one partition that
 * looked emptiest in a stale sample, yet it keeps the maximum backlog exponentially closer to the mean than a
 * single random choice. Ties go to the first draw, which is itself random.
 */
public final class LeastLagStrategy implements PartitionStrategy {

    private final RandomGenerator random;

    public LeastLagStrategy(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
        if (partitions == 1) {
            return 0;
        }
        int first = random.nextInt(partitions);
        int second = random.nextInt(partitions - 1);
        if (second >= first) {
            second++; // skip the first draw, so the two choices are distinct and each pair equally likely
        }
        return load.lag(second) < load.lag(first) ? second : first;
    }
}
