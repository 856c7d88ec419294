package dev.ferry.dispatcher;

import dev.ferry.core.Plugins;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.dispatcher.internal.AutoStrategy;
import dev.ferry.dispatcher.internal.KeyAffinityStrategy;
import dev.ferry.dispatcher.internal.LeastLagStrategy;
import dev.ferry.dispatcher.internal.RoundRobinStrategy;
import dev.ferry.dispatcher.internal.WeightedRandomStrategy;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The partition strategies, by the names a {@code FunctionSpec.partitionStrategy} or
 * {@code dispatcher.partition.strategy} uses: one of the built-in names below, or the fully qualified name of a
 * class on the dispatcher's class path that implements {@link PartitionStrategy} and has a public no-argument
 * constructor (a user's own strategy). A {@code FunctionSpec} may name such a class only when the operator lists it in
 * {@code dispatcher.partition.strategy.classes} ({@code FunctionSpecs.isAllowedStrategy}); {@code create} itself
 * loads whatever it is given, so callers check that first.
 */
public final class PartitionStrategies {

    /** Same key, same partition: murmur2 of the key, as Kafka's default partitioner does. */
    public static final String KEY_AFFINITY = "key-affinity";
    /** Each partition in turn: even spread, no regard for load. */
    public static final String ROUND_ROBIN = "round-robin";
    /** A random partition, each weighted by 1 / (1 + lag): emptier partitions get more. */
    public static final String WEIGHTED_RANDOM = "weighted-random";
    /** The power of two choices: two random partitions, the less loaded one wins. */
    public static final String LEAST_LAG = "least-lag";
    /** Key affinity when the request has a key, least lag otherwise. */
    public static final String AUTO = "auto";

    /** Core's list, which the gateway checks deployments against; a test keeps the two in step. */
    private static final List<String> NAMES = FunctionSpecs.PARTITION_STRATEGIES;

    private PartitionStrategies() {
    }

    /** Every name {@link #create} knows, the default first. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * A new instance of the named strategy, or empty when no strategy has that name: neither a built-in name nor a
     * loadable class that implements {@link PartitionStrategy} with a public no-argument constructor.
     *
     * @param random the source of the built-in random strategies' choices; used from one thread only
     */
    public static Optional<PartitionStrategy> create(String name, RandomGenerator random) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name) {
            case AUTO -> Optional.of(new AutoStrategy(random));
            case KEY_AFFINITY -> Optional.of(new KeyAffinityStrategy());
            case ROUND_ROBIN -> Optional.of(new RoundRobinStrategy());
            case WEIGHTED_RANDOM -> Optional.of(new WeightedRandomStrategy(random));
            case LEAST_LAG -> Optional.of(new LeastLagStrategy(random));
            default -> Plugins.instantiate(name, PartitionStrategy.class);
        };
    }
}
