package dev.ferry.dispatcher.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.dispatcher.PartitionStrategies;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Where each function's invocations go: its work topic, partition count and strategy instance, built once per
 * deployed version of the function so the hot path makes no admin call and no name lookup per record. An ORDERED
 * function's strategy places only its invocations without a key; a keyed one goes to its key's partition
 * ({@link KeyedOrderStrategy}).
 *
 * <p>A work topic is provisioned the first time a function is routed and again only when a redeploy asks for
 * more partitions than were provisioned. Used by the routing thread only.
 */
public final class WorkRoutes {

    /** A routable function, or why it is not routable. */
    public record Route(FunctionSpec spec, String topic, int partitions, String strategyName,
                        PartitionStrategy strategy, String error) {
        public boolean routable() {
            return error == null;
        }
    }

    private final TopicCatalog topics;
    private final Consumer<TopicSpec> provisioner;
    private final String defaultStrategy;
    private final List<String> strategyClasses;
    private final RandomGenerator random;
    private final Map<FunctionRef, Route> routes = new HashMap<>();
    private final Map<String, Integer> provisioned = new HashMap<>();

    /**
     * @param provisioner creates or grows a work topic; may block, and throws when it cannot
     * @param defaultStrategy the strategy of functions that name none (the operator's choice: any name)
     * @param strategyClasses the user strategy classes a function may name
     *     ({@code dispatcher.partition.strategy.classes}); any other class a spec names is never loaded
     */
    public WorkRoutes(TopicCatalog topics, Consumer<TopicSpec> provisioner, String defaultStrategy,
            List<String> strategyClasses, RandomGenerator random) {
        this.topics = topics;
        this.provisioner = provisioner;
        this.defaultStrategy = defaultStrategy;
        this.strategyClasses = List.copyOf(strategyClasses);
        this.random = random;
    }

    /** The route of the function's current spec; provisions its topic first if needed. */
    public Route routeFor(FunctionSpec spec) {
        FunctionRef ref = FunctionSpecs.ref(spec);
        Route cached = routes.get(ref);
        if (cached != null && cached.spec() == spec) {
            return cached;
        }
        Route route = build(ref, spec, cached);
        if (route.routable()) {
            ensureTopic(ref, route.partitions());
        }
        routes.put(ref, route);
        return route;
    }

    private Route build(FunctionRef ref, FunctionSpec spec, Route previous) {
        String topic = topics.work(ref);
        String name = spec.getPartitionStrategy() != null ? spec.getPartitionStrategy() : defaultStrategy;
        if (previous != null && previous.routable() && previous.strategyName().equals(name)) {
            // Same strategy: keep its state (the round-robin turn) across a redeploy.
            PartitionStrategy same = previous.strategy() instanceof KeyedOrderStrategy ordered
                    ? ordered.unkeyed() : previous.strategy();
            return new Route(spec, topic, spec.getPartitions(), name, forDelivery(spec, same), null);
        }
        if (spec.getPartitionStrategy() != null
                && !FunctionSpecs.isAllowedStrategy(spec.getPartitionStrategy(), strategyClasses)) {
            // A spec written straight to ferry.functions: the gateway refuses such a name at deploy (issue:
            // java.lang.Runtime), and the dispatcher does not load a class a tenant chose.
            return new Route(spec, topic, spec.getPartitions(), name, null, "unknown partition strategy '" + name
                    + "' of function " + ref + ": use one of "
                    + String.join(", ", FunctionSpecs.allowedStrategies(strategyClasses))
                    + " (a class is allowed only when listed in dispatcher.partition.strategy.classes)");
        }
        Optional<PartitionStrategy> strategy;
        try {
            strategy = PartitionStrategies.create(name, random);
        } catch (FerryException broken) {
            return new Route(spec, topic, spec.getPartitions(), name, null, "partition strategy '" + name
                    + "' of function " + ref + " cannot be created: " + broken.getMessage());
        }
        if (strategy.isEmpty()) {
            return new Route(spec, topic, spec.getPartitions(), name, null, "unknown partition strategy '" + name
                    + "' of function " + ref + ": use one of " + String.join(", ", PartitionStrategies.names())
                    + ", or the class name of a PartitionStrategy on the dispatcher's class path");
        }
        if (spec.getPartitions() < 1) {
            return new Route(spec, topic, spec.getPartitions(), name, null, "function " + ref + " has "
                    + spec.getPartitions() + " partitions; it needs at least 1");
        }
        return new Route(spec, topic, spec.getPartitions(), name, forDelivery(spec, strategy.get()), null);
    }

    /**
     * An ORDERED function's keyed invocations go to their key's partition whatever the strategy
     * ({@link KeyedOrderStrategy}); a QUEUE function's go where its strategy says.
     */
    private static PartitionStrategy forDelivery(FunctionSpec spec, PartitionStrategy strategy) {
        return spec.getDelivery() == Delivery.ORDERED ? new KeyedOrderStrategy(strategy) : strategy;
    }

    private void ensureTopic(FunctionRef ref, int partitions) {
        String topic = topics.work(ref);
        Integer done = provisioned.get(topic);
        if (done == null || done < partitions) {
            provisioner.accept(topics.workTopic(ref, partitions));
            provisioned.put(topic, partitions);
        }
    }
}
