package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.InvocationRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionStrategiesTest {

    @Test
    void shouldBuildEveryStrategyCoreAcceptsAtDeployWhenNamed() {
        // The gateway validates FunctionSpec.partitionStrategy against core's list (issue 12): each name it lets
        // through must be one the dispatcher can build, and each constant here must be in that list.
        assertThat(PartitionStrategies.names()).isEqualTo(FunctionSpecs.PARTITION_STRATEGIES);
        assertThat(PartitionStrategies.names()).containsExactlyInAnyOrder(PartitionStrategies.AUTO,
                PartitionStrategies.KEY_AFFINITY, PartitionStrategies.ROUND_ROBIN, PartitionStrategies.WEIGHTED_RANDOM,
                PartitionStrategies.LEAST_LAG);
        for (String name : FunctionSpecs.PARTITION_STRATEGIES) {
            assertThat(PartitionStrategies.create(name, new SplittableRandom(1))).as(name).isPresent();
        }
    }

    @Property(tries = 300)
    void shouldPickAPartitionInRangeWhenGivenAnyStrategyKeyAndLoad(
            @ForAll("strategyNames") String name,
            @ForAll("maybeKeys") String key,
            @ForAll @IntRange(min = 1, max = 1000) int partitions,
            @ForAll @Size(max = 20) List<@LongRange(min = 0, max = 1_000_000) Long> lags,
            @ForAll long seed) {
        PartitionStrategy strategy = PartitionStrategies.create(name, new SplittableRandom(seed)).orElseThrow();
        PartitionLoad load = p -> p < lags.size() ? lags.get(p) : 0L;
        InvocationRequest request = Requests.request("acme", "resize").setKey(key).build();
        for (int i = 0; i < 5; i++) {
            assertThat(strategy.partition(request, partitions, load)).isBetween(0, partitions - 1);
        }
    }

    @Property(tries = 300)
    void shouldSendTheSameKeyToTheSamePartitionAsKafkasDefaultPartitionerWhenUsingKeyAffinity(
            @ForAll String key, @ForAll @IntRange(min = 1, max = 1000) int partitions) {
        PartitionStrategy first = strategy(PartitionStrategies.KEY_AFFINITY);
        PartitionStrategy second = strategy(PartitionStrategies.KEY_AFFINITY);
        int expected = BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
        assertThat(first.partition(Requests.keyed(key), partitions, PartitionLoad.none())).isEqualTo(expected);
        assertThat(first.partition(Requests.keyed(key), partitions, p -> 1_000L * p)).isEqualTo(expected);
        assertThat(second.partition(Requests.keyed(key), partitions, PartitionLoad.none())).isEqualTo(expected);
    }

    @Property(tries = 300)
    void shouldHashTheInvocationIdWhenKeyAffinityGetsNoKey(@ForAll @IntRange(min = 1, max = 100) int partitions) {
        PartitionStrategy strategy = strategy(PartitionStrategies.KEY_AFFINITY);
        InvocationRequest request = Requests.unkeyed();
        int expected = BuiltInPartitioner.partitionForKey(
                request.getInvocationId().getBytes(StandardCharsets.UTF_8), partitions);
        assertThat(strategy.partition(request, partitions, PartitionLoad.none())).isEqualTo(expected);
    }

    @Property(tries = 300)
    void shouldGiveEveryPartitionTheSameShareWhenUsingRoundRobin(
            @ForAll @IntRange(min = 1, max = 64) int partitions, @ForAll @IntRange(min = 1, max = 50) int rounds) {
        PartitionStrategy strategy = strategy(PartitionStrategies.ROUND_ROBIN);
        int[] counts = new int[partitions];
        for (int i = 0; i < partitions * rounds; i++) {
            counts[strategy.partition(Requests.keyed("same-key"), partitions, p -> p == 0 ? 1_000 : 0)]++;
        }
        assertThat(counts).containsOnly(rounds);
    }

    @Property(tries = 300)
    void shouldNeverPickTheMoreLoadedOfItsTwoChoicesWhenUsingLeastLag(
            @ForAll @IntRange(min = 2, max = 200) int partitions,
            @ForAll @Size(min = 200, max = 200) List<@LongRange(min = 0, max = 50) Long> lags,
            @ForAll long seed) {
        RecordingRandom random = new RecordingRandom(seed);
        PartitionStrategy strategy = PartitionStrategies.create(PartitionStrategies.LEAST_LAG, random).orElseThrow();
        PartitionLoad load = lags::get;

        int chosen = strategy.partition(Requests.unkeyed(), partitions, load);

        assertThat(random.draws).hasSize(2);
        int first = random.draws.get(0);
        int second = random.draws.get(1) >= first ? random.draws.get(1) + 1 : random.draws.get(1);
        assertThat(first).isNotEqualTo(second);
        assertThat(chosen).isIn(first, second);
        int other = chosen == first ? second : first;
        assertThat(load.lag(chosen)).isLessThanOrEqualTo(load.lag(other));
    }

    @Test
    void shouldAlwaysPickTheEmptierPartitionOfTwoWhenUsingLeastLag() {
        PartitionStrategy strategy =
                PartitionStrategies.create(PartitionStrategies.LEAST_LAG, new Random(1)).orElseThrow();
        for (int i = 0; i < 100; i++) {
            assertThat(strategy.partition(Requests.unkeyed(), 2, p -> p == 0 ? 5 : 4)).isEqualTo(1);
        }
    }

    @Test
    void shouldFavourPartitionsWithLessLagWhenUsingWeightedRandom() {
        PartitionStrategy strategy =
                PartitionStrategies.create(PartitionStrategies.WEIGHTED_RANDOM, new Random(42)).orElseThrow();
        int[] counts = new int[3];
        PartitionLoad load = p -> new long[] {0, 9, 99}[p]; // weights 1, 1/10, 1/100
        for (int i = 0; i < 10_000; i++) {
            counts[strategy.partition(Requests.unkeyed(), 3, load)]++;
        }
        assertThat(counts[0]).isGreaterThan(counts[1]);
        assertThat(counts[1]).isGreaterThan(counts[2]);
        assertThat(counts[0]).isBetween(8_600, 9_400); // expected 1 / 1.11 = 90.1 %
        assertThat(counts[2]).isPositive(); // a backlogged partition is disfavoured, never starved
    }

    @Test
    void shouldSpreadEvenlyWhenWeightedRandomSeesNoLag() {
        PartitionStrategy strategy =
                PartitionStrategies.create(PartitionStrategies.WEIGHTED_RANDOM, new Random(7)).orElseThrow();
        int[] counts = new int[4];
        for (int i = 0; i < 8_000; i++) {
            counts[strategy.partition(Requests.unkeyed(), 4, PartitionLoad.none())]++;
        }
        assertThat(java.util.Arrays.stream(counts).boxed())
                .allSatisfy(count -> assertThat(count).isBetween(1_800, 2_200));
    }

    @Property(tries = 300)
    void shouldUseKeyAffinityForKeyedRequestsWhenAuto(@ForAll String key,
            @ForAll @IntRange(min = 1, max = 100) int partitions) {
        PartitionStrategy auto = strategy(PartitionStrategies.AUTO);
        int expected = BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
        assertThat(auto.partition(Requests.keyed(key), partitions, p -> p)).isEqualTo(expected);
    }

    @Test
    void shouldBalanceByLagForUnkeyedRequestsWhenAuto() {
        PartitionStrategy auto = PartitionStrategies.create(PartitionStrategies.AUTO, new Random(3)).orElseThrow();
        for (int i = 0; i < 100; i++) {
            assertThat(auto.partition(Requests.unkeyed(), 2, p -> p == 0 ? 0 : 10)).isEqualTo(0);
        }
    }

    @Test
    void shouldCreateEveryListedStrategyWhenAskedByNameAndNoOther() {
        assertThat(PartitionStrategies.names())
                .containsExactly("auto", "key-affinity", "round-robin", "weighted-random", "least-lag");
        PartitionStrategies.names().forEach(name ->
                assertThat(PartitionStrategies.create(name, new Random())).isPresent());
        assertThat(PartitionStrategies.create("fastest", new Random())).isEmpty();
        assertThat(PartitionStrategies.create(null, new Random())).isEmpty();
    }

    private static PartitionStrategy strategy(String name) {
        return PartitionStrategies.create(name, new Random()).orElseThrow();
    }

    @Provide
    Arbitrary<String> strategyNames() {
        return Arbitraries.of(PartitionStrategies.names());
    }

    @Provide
    Arbitrary<String> maybeKeys() {
        return Arbitraries.strings().ofMaxLength(40).injectNull(0.3);
    }

    @Test
    void shouldLoadAUsersStrategyWhenNamedByItsClassName() {
        PartitionStrategy strategy = PartitionStrategies.create(LastPartition.class.getName(), new SplittableRandom(1))
                .orElseThrow();
        assertThat(strategy.partition(Requests.request("acme", "resize").build(), 7, p -> 0L)).isEqualTo(6);
    }

    @Test
    void shouldFindNoStrategyWhenTheClassIsMissingOrOfAnotherKind() {
        assertThat(PartitionStrategies.create("com.example.Missing", new SplittableRandom(1))).isEmpty();
        assertThat(PartitionStrategies.create(String.class.getName(), new SplittableRandom(1))).isEmpty();
        assertThat(PartitionStrategies.create("fastest", new SplittableRandom(1))).isEmpty();
    }

    /** A user's strategy: always the last partition. Public with a no-argument constructor, as the loader needs. */
    public static final class LastPartition implements PartitionStrategy {
        @Override
        public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
            return partitions - 1;
        }
    }

    /** Remembers the bounded ints it hands out, so a test can tell which two partitions least-lag drew. */
    private static final class RecordingRandom implements RandomGenerator {
        private final SplittableRandom delegate;
        final List<Integer> draws = new ArrayList<>();

        RecordingRandom(long seed) {
            this.delegate = new SplittableRandom(seed);
        }

        @Override
        public long nextLong() {
            return delegate.nextLong();
        }

        @Override
        public int nextInt(int bound) {
            int draw = delegate.nextInt(bound);
            draws.add(draw);
            return draw;
        }
    }
}
