package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.sample;
import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autoscaler.simulation.SimulatedClock;
import dev.ferry.autoscaler.internal.ReplicaBudget;
import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ScalingPropertiesTest {

    record Step(List<Long> lags, double arrival, double service, int members, int seconds) {
    }

    @Property(tries = 200)
    void shouldStayWithinMinMaxAndPartitionsWhateverTheSamples(@ForAll("deliveries") Delivery delivery,
            @ForAll @IntRange(min = 1, max = 12) int partitions, @ForAll @IntRange(min = 0, max = 5) int min,
            @ForAll @IntRange(min = 0, max = 30) int extra, @ForAll("policies") String policy,
            @ForAll("steps") List<Step> steps) {
        int effectiveMin = delivery == Delivery.ORDERED ? Math.min(min, partitions) : min;
        FunctionSpec spec = spec("f", delivery, partitions, effectiveMin, Math.max(1, effectiveMin + extra));
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-01-01T00:00:00Z"));
        ScalingController controller = controller(policy, clock, 1000);
        for (Step step : steps) {
            List<Long> lags = resize(step.lags(), partitions);
            for (ScalingDecision d : controller.onSample(spec, sample(spec, clock.instant(), lags, step.arrival(),
                    step.service(), step.members()))) {
                assertThat(d.getTo()).isBetween(spec.getMinReplicas(), spec.getMaxReplicas());
                if (delivery == Delivery.ORDERED) {
                    assertThat(d.getTo()).isLessThanOrEqualTo(partitions);
                }
            }
            clock.advance(Duration.ofSeconds(step.seconds()));
        }
    }

    @Property(tries = 200)
    void shouldNeverChangeDirectionUnderConstantLoad(@ForAll("policies") String policy,
            @ForAll @IntRange(min = 0, max = 2_000) int lag, @ForAll @IntRange(min = 1, max = 200) int arrival,
            @ForAll @IntRange(min = 1, max = 20) int members, @ForAll @IntRange(min = 1, max = 5) int pollSeconds) {
        // Constant load: as much arrives as is done, so the backlog holds still.
        int service = arrival;
        FunctionSpec spec = spec("steady", Delivery.QUEUE, 6, 0, 50);
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-01-01T00:00:00Z"));
        ScalingController controller = controller(policy, clock, 1000);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            for (ScalingDecision d : controller.onSample(spec, Samples.even(spec, clock.instant(), lag, arrival,
                    service, members))) {
                if (sizes.isEmpty()) {
                    sizes.add(d.getFrom());
                }
                sizes.add(d.getTo());
            }
            clock.advance(Duration.ofSeconds(pollSeconds));
        }
        assertThat(directionChanges(sizes)).as("sizes %s", sizes).isZero();
    }

    @Property(tries = 200)
    void shouldNeverExceedTheBudget(@ForAll @IntRange(min = 1, max = 40) int budget,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 3_000) Integer> lags,
            @ForAll("policies") String policy) {
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-01-01T00:00:00Z"));
        ScalingController controller = controller(policy, clock, budget);
        List<FunctionRef> refs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < lags.size(); i++) {
                FunctionSpec spec = spec("f" + i, Delivery.QUEUE, 4, 0, 25);
                refs.add(new FunctionRef("acme", "f" + i));
                controller.onSample(spec, Samples.even(spec, clock.instant(), lags.get(i) / (round + 1), 5, 1, 1));
                int total = refs.stream().distinct().mapToInt(r -> controller.current(r).orElse(0)).sum();
                assertThat(total).isLessThanOrEqualTo(budget);
            }
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Property(tries = 300)
    void shouldAllocateWithinBudgetAndDemand(@ForAll @IntRange(min = 0, max = 50) int budget,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 30) Integer> desired,
            @ForAll @Size(min = 10, max = 10) List<@IntRange(min = 0, max = 3) Integer> mins) {
        List<ReplicaBudget.Claim> claims = new ArrayList<>();
        for (int i = 0; i < desired.size(); i++) {
            claims.add(new ReplicaBudget.Claim("f" + i, mins.get(i), desired.get(i)));
        }
        Map<String, Integer> allocation = ReplicaBudget.allocate(budget, claims);
        int demand = claims.stream().mapToInt(c -> Math.max(c.min(), c.desired())).sum();
        assertThat(allocation.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(Math.min(budget, demand));
        claims.forEach(c -> assertThat(allocation.get(c.key())).isBetween(0, Math.max(c.min(), c.desired())));
    }

    private static ScalingController controller(String policy, SimulatedClock clock, int budget) {
        return new ScalingController(ScalingPolicies.byName(policy, dev.ferry.core.config.FerryConfig.defaults()
                .autoscaler()), new ScalingController.Settings(Duration.ofSeconds(30), Duration.ofSeconds(60),
                        Duration.ofSeconds(30), budget), clock);
    }

    private static int directionChanges(List<Integer> sizes) {
        int changes = 0;
        int direction = 0;
        for (int i = 1; i < sizes.size(); i++) {
            int d = Integer.signum(sizes.get(i) - sizes.get(i - 1));
            if (d != 0 && direction != 0 && d != direction) {
                changes++;
            }
            if (d != 0) {
                direction = d;
            }
        }
        return changes;
    }

    private static List<Long> resize(List<Long> lags, int partitions) {
        List<Long> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            out.add(p < lags.size() ? lags.get(p) : 0L);
        }
        return out;
    }

    @Provide
    Arbitrary<Delivery> deliveries() {
        return Arbitraries.of(Delivery.QUEUE, Delivery.ORDERED);
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(ScalingPolicies.NAMES);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.longs().between(0, 5_000).list().ofMaxSize(12),
                Arbitraries.doubles().between(0, 500), Arbitraries.doubles().between(0, 500),
                Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 90)).as(Step::new)
                .list().ofMinSize(1).ofMaxSize(60);
    }

    /**
     * Issue 11, the kind: whatever size was decided and whenever the pool's members vanish, a function with work
     * waiting and no member is given a replica a few polls after the last decision's settle time.
     */
    @Property(tries = 200)
    void shouldGiveAReplicaToWorkWithNoMemberWhateverTheSizeAndTheTimeTheMembersVanished(
            @ForAll("policies") String policy, @ForAll @IntRange(min = 1, max = 8) int members,
            @ForAll @IntRange(min = 0, max = 120) int vanishAt, @ForAll @IntRange(min = 1, max = 500) int lag,
            @ForAll @IntRange(min = 1, max = 3) int pollSeconds) {
        FunctionSpec spec = spec("vanishing", Delivery.QUEUE, 6, 0, 20);
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-01-01T00:00:00Z"));
        ScalingController controller = controller(policy, clock, 1000);
        ScalingController.Settings settings = new ScalingController.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), 1000);
        int size = members;
        int t = 0;
        int decidedAt = 0;
        for (; t < vanishAt; t += pollSeconds) { // members follow the decisions, a quiet pool
            for (ScalingDecision d : controller.onSample(spec, sample(spec, clock.instant(),
                    resize(List.of(0L), 6), 0, 0, size))) {
                size = d.getTo();
                decidedAt = t;
            }
            clock.advance(Duration.ofSeconds(pollSeconds));
        }
        // A size decided just before the members vanished is given its settle time to show; then a few polls.
        long deadline = Math.max(t, decidedAt + settings.settle().toSeconds()) + settings.confirm().toSeconds()
                + 2L * pollSeconds;
        boolean served = false;
        for (; t <= deadline && !served; t += pollSeconds) { // every member gone, work waiting
            for (ScalingDecision d : controller.onSample(spec, sample(spec, clock.instant(),
                    resize(List.of((long) lag), 6), 0, 0, 0))) {
                served |= d.getTo() >= 1;
            }
            clock.advance(Duration.ofSeconds(pollSeconds));
        }
        assertThat(served).as("a replica decided by t=%d s", deadline).isTrue();
    }
}
