package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.InvocationRequest;
import java.util.random.RandomGenerator;

/**
 * A random partition, partition {@code p} weighted by {@code 1 / (1 + lag(p))}: an empty partition is drawn twice
 * as often as one with a single waiting record, and a deeply backlogged one almost never, yet none is starved
 * outright, so a stale lag reading cannot freeze traffic away from a partition that has since drained.
 */
public final class WeightedRandomStrategy implements PartitionStrategy {

    private final RandomGenerator random;

    public WeightedRandomStrategy(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
        double[] cumulative = new double[partitions];
        double total = 0;
        for (int p = 0; p < partitions; p++) {
            total += weight(load.lag(p));
            cumulative[p] = total;
        }
        double draw = random.nextDouble() * total;
        for (int p = 0; p < partitions; p++) {
            if (draw < cumulative[p]) {
                return p;
            }
        }
        return partitions - 1; // only reachable through rounding at the very top of the range
    }

    static double weight(long lag) {
        return 1.0 / (1.0 + Math.max(0L, lag));
    }
}
