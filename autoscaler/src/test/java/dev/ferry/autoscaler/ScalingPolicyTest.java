package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.even;
import static dev.ferry.autoscaler.Samples.sample;
import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldAskForCeilOfLagOverTargetWhenReactive() {
        FunctionSpec spec = spec("f", Delivery.QUEUE, 6, 0, 20);
        Recommendation r = new ReactivePolicy().recommend(spec, even(spec, T0, 41, 0, 0, 1));
        assertThat(r.replicas()).isEqualTo(5);
        assertThat(r.reason()).contains("lag 41 / 10 per replica = 5");
    }

    @Test
    void shouldScaleAQueueFunctionPastItsPartitionCountWhenBurstArrives() {
        FunctionSpec spec = spec("burst", Delivery.QUEUE, 2, 0, 6);
        Recommendation r = new ReactivePolicy().recommend(spec, sample(spec, T0, List.of(400L, 380L), 0, 0, 1));
        assertThat(r.replicas()).isEqualTo(6);
        assertThat(r.reason()).contains("capped by maxReplicas 6");
    }

    @Test
    void shouldCapAnOrderedFunctionByItsPartitionsWhenLagIsHigh() {
        FunctionSpec spec = spec("ordered", Delivery.ORDERED, 3, 0, 10);
        Recommendation r = new ReactivePolicy().recommend(spec, sample(spec, T0, List.of(500L, 500L, 500L), 0, 0, 1));
        assertThat(r.replicas()).isEqualTo(3);
        assertThat(r.reason()).contains("3 partitions of an ORDERED function");
    }

    @Test
    void shouldNotWakeAReplicaPerRecordWhenOneOrderedPartitionIsHot() {
        FunctionSpec spec = spec("hot", Delivery.ORDERED, 6, 0, 10);
        Recommendation r = new ReactivePolicy().recommend(spec, sample(spec, T0, List.of(900L, 0L, 0L, 0L, 0L, 0L),
                0, 0, 1));
        assertThat(r.replicas()).isEqualTo(1);
        assertThat(r.reason()).contains("only 1 of 6 partitions have lag");
    }

    @Test
    void shouldRaiseToMinReplicasWhenThereIsNoLag() {
        FunctionSpec spec = spec("warm", Delivery.QUEUE, 6, 2, 10);
        assertThat(new ReactivePolicy().recommend(spec, even(spec, T0, 0, 0, 0, 2)).replicas()).isEqualTo(2);
    }

    @Test
    void shouldKeepUpWithTheArrivalRateBeforeLagPilesUpWhenRateAware() {
        FunctionSpec spec = spec("steady", Delivery.QUEUE, 6, 0, 20);
        RateAwarePolicy policy = new RateAwarePolicy();
        // 2 replicas working a backlog off at 10 records/s each: the policy learns a replica's speed.
        Instant then = Samples.workOff(policy, spec, T0, 2, 10, 3);
        Recommendation r = policy.recommend(spec, even(spec, then, 0, 55, 20, 2));
        assertThat(r.replicas()).isEqualTo(6);
        assertThat(r.reason()).contains("(arrival 55.0/s + lag drain 0.0/s) / 10.0/s per replica = 6");
        assertThat(r.sustained()).isEqualTo(6);
        assertThat(new ReactivePolicy().recommend(spec, even(spec, T0, 0, 55, 20, 2)).replicas()).isZero();
    }

    @Test
    void shouldNotLearnAReplicasSpeedWhileItsConcurrencySlotsAreNotAllBusy() {
        FunctionSpec spec = FunctionSpec.newBuilder(spec("wide", Delivery.QUEUE, 6, 0, 50)).setConcurrency(32).build();
        RateAwarePolicy policy = new RateAwarePolicy();
        // 2 replicas with 32 slots each and 10 records in hand: most slots idle, so 4/s says nothing about speed.
        policy.recommend(spec, even(spec, T0, 10, 4, 4, 2));
        Recommendation idle = policy.recommend(spec, even(spec, T0.plusSeconds(1), 10, 4, 4, 2));
        assertThat(idle.reason()).as("no learned rate yet").doesNotContain("/s per replica");
        assertThat(idle.replicas()).as("reactive: ceil(10 / 10)").isEqualTo(1);

        // Every slot taken and more waiting while the backlog shrinks: 2 replicas doing 200/s show a replica does 100/s.
        policy.recommend(spec, even(spec, T0.plusSeconds(2), 500, 100, 100, 2));
        policy.recommend(spec, even(spec, T0.plusSeconds(3), 400, 100, 200, 2));
        Recommendation busy = policy.recommend(spec, even(spec, T0.plusSeconds(4), 0, 250, 200, 2));
        assertThat(busy.reason()).contains("100.0/s per replica");
        assertThat(busy.replicas()).isEqualTo(3);
    }

    @Test
    void shouldScaleAheadOfARisingRampWhenPredictive() {
        FunctionSpec spec = spec("ramp", Delivery.QUEUE, 6, 0, 50);
        PredictivePolicy predictive = new PredictivePolicy(Duration.ofSeconds(10));
        RateAwarePolicy rateAware = new RateAwarePolicy();
        // Both first learn that a replica does 10/s, working a backlog off.
        Samples.workOff(predictive, spec, T0.minusSeconds(3), 2, 10, 3);
        Samples.workOff(rateAware, spec, T0.minusSeconds(3), 2, 10, 3);
        Recommendation p = null;
        Recommendation r = null;
        for (int s = 0; s <= 10; s++) {
            double arrival = 10 + 5 * s; // +5 records/s every second
            p = predictive.recommend(spec, even(spec, T0.plusSeconds(s), 20, arrival, 10.0 * 2, 2));
            r = rateAware.recommend(spec, even(spec, T0.plusSeconds(s), 20, arrival, 10.0 * 2, 2));
        }
        assertThat(r.replicas()).as("(60/s + 18 waiting / 10 s) / 10/s").isEqualTo(7);
        assertThat(p.replicas()).isGreaterThan(r.replicas());
        assertThat(p.sustained()).as("a forecast is not held").isEqualTo(6);
        assertThat(p.reason()).contains("forecast arrival in 10 s");
    }

    @Test
    void shouldNotExtrapolateAStepAsATrendWhenPredictive() {
        FunctionSpec spec = spec("step", Delivery.QUEUE, 6, 0, 50);
        PredictivePolicy predictive = new PredictivePolicy(Duration.ofSeconds(10));
        Samples.workOff(predictive, spec, T0.minusSeconds(3), 2, 10, 3); // a replica does 10/s
        predictive.recommend(spec, even(spec, T0, 30, 10, 20, 2));
        Recommendation r = null;
        for (int s = 1; s <= 3; s++) {
            r = predictive.recommend(spec, even(spec, T0.plusSeconds(s), 0, 50, 50, 5));
        }
        assertThat(r.replicas()).as("50/s needs 5 replicas of 10/s, but 5 on 6 partitions carry 30/s: 6")
                .isEqualTo(6);
        assertThat(r.reason()).doesNotContain("forecast");
    }

    @Test
    void shouldSizeForTheMemberWithTheMostPartitionsWhenFewerReplicasThanPartitions() {
        // Issue 16: the real-broker benchmark's step, 35/s on 6 partitions, replicas of 10/s. Four replicas have
        // 40/s between them, but two of them hold two partitions each (11.7/s apiece) and fall behind while the
        // other two idle: a group hands out partitions, not records.
        FunctionSpec spec = spec("spread", Delivery.QUEUE, 6, 0, 8);
        RateAwarePolicy policy = new RateAwarePolicy();
        Samples.workOff(policy, spec, T0.minusSeconds(3), 6, 10, 3); // a replica does 10/s
        Recommendation steady = policy.recommend(spec, even(spec, T0, 0, 35, 35, 6));
        assertThat(steady.sustained()).as("4 or 5 on 6 partitions carry 30/s").isEqualTo(6);
        Recommendation light = policy.recommend(spec, even(spec, T0.plusSeconds(1), 0, 29, 29, 6));
        assertThat(light.sustained()).as("3 replicas of two partitions each carry 30/s").isEqualTo(3);
        Recommendation heavy = policy.recommend(spec, even(spec, T0.plusSeconds(2), 0, 65, 65, 6));
        assertThat(heavy.sustained()).as("from 6 members on, every member shares partitions").isEqualTo(7);
        Recommendation none = policy.recommend(spec, even(spec, T0.plusSeconds(3), 0, 0, 0, 6));
        assertThat(none.replicas()).as("no load needs no replica (a drained pool goes to zero)").isZero();
    }

    @Test
    void shouldForgetWhatItLearnedWhenFunctionIsRemoved() {
        FunctionSpec spec = spec("gone", Delivery.QUEUE, 6, 0, 20);
        RateAwarePolicy policy = new RateAwarePolicy();
        policy.recommend(spec, even(spec, T0, 30, 20, 20, 2));
        policy.forget(dev.ferry.core.functions.FunctionSpecs.ref(spec));
        assertThat(policy.recommend(spec, even(spec, T0.plusSeconds(1), 0, 55, 0, 0)).replicas()).isZero();
    }

    @Test
    void shouldLoadPoliciesByNameAndRejectUnknownNames() {
        FerryConfig config = FerryConfig.defaults();
        assertThat(ScalingPolicies.fromConfig(config.autoscaler())).isInstanceOf(PredictivePolicy.class);
        for (String name : ScalingPolicies.NAMES) {
            assertThat(ScalingPolicies.byName(name, config.autoscaler()).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> ScalingPolicies.byName("keda", config.autoscaler()))
                .isInstanceOf(FerryException.class).hasMessageContaining("autoscaler.policy");
    }

    @Test
    void shouldLoadAUsersPolicyWhenNamedByItsClassName() {
        FerryConfig config = FerryConfig.defaults();
        ScalingPolicy policy = ScalingPolicies.byName(AlwaysTwo.class.getName(), config.autoscaler());
        FunctionSpec spec = spec("f", Delivery.QUEUE, 6, 0, 20);
        assertThat(policy.recommend(spec, even(spec, T0, 0, 0, 0, 0)).replicas()).isEqualTo(2);
        assertThatThrownBy(() -> ScalingPolicies.byName("com.example.MissingPolicy", config.autoscaler()))
                .isInstanceOf(FerryException.class).hasMessageContaining("com.example.MissingPolicy");
    }

    /** A user's policy: two replicas, whatever the lag. Public with a no-argument constructor, as the loader needs. */
    public static final class AlwaysTwo implements ScalingPolicy {
        @Override
        public String name() {
            return "always-two";
        }

        @Override
        public Recommendation recommend(FunctionSpec spec, dev.ferry.schemas.LagSample sample) {
            return new Recommendation(2, "always two");
        }

        @Override
        public void forget(dev.ferry.core.FunctionRef ref) {
        }
    }
}
