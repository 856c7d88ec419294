package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.Requests;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkRoutesTest {

    private final List<TopicSpec> provisioned = new ArrayList<>();
    private final WorkRoutes routes = new WorkRoutes(new TopicCatalog(FerryConfig.defaults()), provisioned::add,
            "auto", List.of(FirstPartition.class.getName()), new SplittableRandom(1));

    private static FunctionSpec spec(int partitions, String strategy) {
        return FunctionSpecs.builder("acme", "resize", Runtime.JAVA, "echo")
                .setPartitions(partitions).setPartitionStrategy(strategy).build();
    }

    @Test
    void shouldProvisionTheWorkTopicOnceWhenRoutingManyRecords() {
        FunctionSpec spec = spec(4, null);
        for (int i = 0; i < 100; i++) {
            WorkRoutes.Route route = routes.routeFor(spec);
            assertThat(route.topic()).isEqualTo("ferry.work.acme.resize");
            assertThat(route.partitions()).isEqualTo(4);
            assertThat(route.strategyName()).isEqualTo("auto");
        }
        assertThat(provisioned).extracting(TopicSpec::name, TopicSpec::partitions)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ferry.work.acme.resize", 4));
    }

    @Test
    void shouldGrowTheTopicWhenARedeployAsksForMorePartitions() {
        routes.routeFor(spec(4, null));
        routes.routeFor(spec(4, null)); // a redeploy with the same count: no admin call
        routes.routeFor(spec(8, null));
        routes.routeFor(spec(2, null)); // fewer: topics never shrink, the function just uses fewer
        assertThat(provisioned).extracting(TopicSpec::partitions).containsExactly(4, 8);
    }

    @Test
    void shouldKeepTheStrategyStateWhenRedeployedWithTheSameStrategy() {
        WorkRoutes.Route first = routes.routeFor(spec(3, "round-robin"));
        int a = first.strategy().partition(Requests.unkeyed(), 3, PartitionLoad.none());
        WorkRoutes.Route second = routes.routeFor(spec(3, "round-robin"));
        int b = second.strategy().partition(Requests.unkeyed(), 3, PartitionLoad.none());
        assertThat(second.strategy()).isSameAs(first.strategy());
        assertThat(b).isEqualTo((a + 1) % 3);
        assertThat(routes.routeFor(spec(3, "least-lag")).strategyName()).isEqualTo("least-lag");
    }

    @Test
    void shouldNameTheKnownStrategiesWhenAFunctionAsksForAnUnknownOne() {
        WorkRoutes.Route route = routes.routeFor(spec(3, "fastest"));
        assertThat(route.routable()).isFalse();
        assertThat(route.error()).isEqualTo("unknown partition strategy 'fastest' of function acme/resize: use one "
                + "of auto, key-affinity, round-robin, weighted-random, least-lag, "
                + FirstPartition.class.getName()
                + " (a class is allowed only when listed in dispatcher.partition.strategy.classes)");
        assertThat(provisioned).isEmpty();
    }

    @Test
    void shouldLoadOnlyTheStrategyClassesTheOperatorListedWhenASpecNamesAClass() {
        // A tester deployed "java.lang.Runtime"; a spec written straight to ferry.functions can still name any class.
        WorkRoutes.Route foreign = routes.routeFor(spec(3, "java.lang.Runtime"));
        assertThat(foreign.routable()).isFalse();
        assertThat(foreign.error()).startsWith("unknown partition strategy 'java.lang.Runtime' of function acme/resize")
                .contains("dispatcher.partition.strategy.classes");
        WorkRoutes.Route listed = routes.routeFor(spec(3, FirstPartition.class.getName()));
        assertThat(listed.routable()).isTrue();
        assertThat(listed.strategy()).isInstanceOf(FirstPartition.class);
    }

    @Test
    void shouldKeepAKeyOnOnePartitionWhenAnOrderedFunctionNamesAStrategyThatIgnoresKeys() {
        // A tester's ORDERED function with round-robin got twelve calls of customer-1 two per partition over six.
        int keyPartition = KeyAffinityStrategy.forKey("customer-1", 6);
        for (String strategy : List.of("round-robin", "least-lag", "weighted-random", "auto", "key-affinity",
                FirstPartition.class.getName())) {
            WorkRoutes.Route route = routes.routeFor(ordered(strategy));
            Set<Integer> keyed = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                keyed.add(route.strategy().partition(Requests.keyed("customer-1"), 6, PartitionLoad.none()));
            }
            assertThat(keyed).as(strategy).containsExactly(keyPartition);
        }
        assertThat(keyPartition).isNotZero(); // so FirstPartition above was not simply agreeing
        // Calls without a key are still the strategy's to place: round-robin still turns.
        WorkRoutes.Route roundRobin = routes.routeFor(ordered("round-robin"));
        Set<Integer> unkeyed = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            unkeyed.add(roundRobin.strategy().partition(Requests.unkeyed(), 6, PartitionLoad.none()));
        }
        assertThat(unkeyed).hasSize(6);
    }

    @Test
    void shouldKeepAKeyOnOnePartitionWhenTheOperatorsDefaultIgnoresKeysAndAnOrderedFunctionNamesNone() {
        WorkRoutes roundRobinByDefault = new WorkRoutes(new TopicCatalog(FerryConfig.defaults()), provisioned::add,
                "round-robin", List.of(), new SplittableRandom(1));
        WorkRoutes.Route route = roundRobinByDefault.routeFor(ordered(null));
        Set<Integer> keyed = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            keyed.add(route.strategy().partition(Requests.keyed("customer-1"), 6, PartitionLoad.none()));
        }
        assertThat(keyed).hasSize(1);
        // A QUEUE function promises no order: its keys go where round-robin says.
        WorkRoutes.Route queue = roundRobinByDefault.routeFor(spec(6, null));
        Set<Integer> spread = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            spread.add(queue.strategy().partition(Requests.keyed("customer-1"), 6, PartitionLoad.none()));
        }
        assertThat(spread).hasSize(6);
    }

    private static FunctionSpec ordered(String strategy) {
        return FunctionSpec.newBuilder(spec(6, strategy)).setDelivery(Delivery.ORDERED).build();
    }

    @Test
    void shouldTryAgainNextTimeWhenProvisioningFails() {
        List<String> attempts = new ArrayList<>();
        WorkRoutes failing = new WorkRoutes(new TopicCatalog(FerryConfig.defaults()), topic -> {
            attempts.add(topic.name());
            if (attempts.size() == 1) {
                throw new FerryException("broker down");
            }
        }, "auto", List.of(), new SplittableRandom(1));
        FunctionSpec spec = spec(2, null);
        assertThatThrownBy(() -> failing.routeFor(spec)).hasMessage("broker down");
        assertThat(failing.routeFor(spec).routable()).isTrue();
        failing.routeFor(spec);
        assertThat(attempts).hasSize(2);
    }

    /** A user's strategy, as an operator would list it in dispatcher.partition.strategy.classes. */
    public static final class FirstPartition implements dev.ferry.dispatcher.PartitionStrategy {
        @Override
        public int partition(dev.ferry.schemas.InvocationRequest request, int partitions,
                dev.ferry.dispatcher.PartitionLoad load) {
            return 0;
        }
    }
}
