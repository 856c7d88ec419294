package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.even;
import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The rate-aware and predictive policies size by the throughput model until busy samples teach a replica's real
 * speed, and say when model and measurement disagree by more than 20 % (issue 17).
 */
class ModelledRatePolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A sleep-like function: 100 ms per call, 4 slots per replica, so the model says 40/s per replica. */
    private static FunctionSpec sleepy() {
        return FunctionSpec.newBuilder(spec("sleepy", Delivery.QUEUE, 6, 0, 50)).setConcurrency(4).build();
    }

    private static RunTimes runTimes(FunctionSpec spec, long micros, int results) {
        RunTimes times = new RunTimes();
        for (int i = 0; i < results; i++) {
            times.observe(InvocationResult.newBuilder().setInvocationId("i" + i).setTenant(spec.getTenant())
                    .setFunction(spec.getName()).setAttempt(1).setStatus(InvocationStatus.SUCCEEDED)
                    .setDurationMicros(micros).setMemoryMb(128).setSubmittedAt(T0).setStartedAt(T0)
                    .setFinishedAt(T0).build());
        }
        return times;
    }

    @Test
    void shouldSizeByTheModelWhenNoBusySampleHasTaughtAReplicasSpeed() {
        FunctionSpec spec = sleepy();
        RateAwarePolicy policy = new RateAwarePolicy();
        policy.useRunTimes(runTimes(spec, 100_000, 5));

        Recommendation r = policy.recommend(spec, even(spec, T0, 0, 100, 0, 1));

        assertThat(r.replicas()).as("ceil(100/s / 40/s per replica)").isEqualTo(3);
        assertThat(r.reason()).contains("/ 40.0/s per replica = 3")
                .contains("model 4 slots / T 100.0 ms = 40.0/s per replica").doesNotContain("measured");
        RateAwarePolicy blind = new RateAwarePolicy();
        assertThat(blind.recommend(spec, even(spec, T0, 0, 100, 0, 1)).replicas())
                .as("without the model only lag counts, and there is none").isZero();
    }

    @Test
    void shouldSayTheMeasurementIsBelowTheModelWhenAReplicaIsSlowerThanItsRunTimeAllows() {
        FunctionSpec spec = sleepy();
        RateAwarePolicy policy = new RateAwarePolicy();
        policy.useRunTimes(runTimes(spec, 100_000, 5));
        // Every slot busy with more waiting, yet 2 replicas do only 20/s: 10/s each, a quarter of the model's 40/s;
        // their slots ran the function a quarter of the time. Members settle over the first two samples.
        Recommendation first = null;
        for (int s = 0; s < 3; s++) {
            first = policy.recommend(spec, even(spec, T0.plusSeconds(s), 30, 20, 20, 2));
        }
        assertThat(first.reason()).as("one busy sample is not enough to overrule the model")
                .contains("/ 40.0/s per replica").contains("measured 10.0/s per replica is 75 % below the model")
                .contains("I/O-bound or throttled");

        Recommendation r = null;
        for (int s = 3; s < 2 + AbstractScalingPolicy.BUSY_SAMPLES_TO_LEARN; s++) {
            r = policy.recommend(spec, even(spec, T0.plusSeconds(s), 30, 20, 20, 2));
        }
        assertThat(r.reason()).contains("/ 10.0/s per replica").contains("learned from 3 busy samples")
                .contains("75 % below the model");
    }

    @Test
    void shouldNotLearnFromASampleWhoseMembersChangedSinceTheOneBefore() {
        FunctionSpec spec = sleepy();
        RateAwarePolicy policy = new RateAwarePolicy();
        policy.useRunTimes(runTimes(spec, 100_000, 5));
        for (int s = 0; s < AbstractScalingPolicy.BUSY_SAMPLES_TO_LEARN; s++) {
            policy.recommend(spec, even(spec, T0.plusSeconds(s), 30, 80, 80, 2)); // 40/s each, as modelled
        }
        // Scaled from 2 to 6 just before: the new members were still joining, so the group did 80/s, not 240/s.
        Recommendation afterScaleUp = policy.recommend(spec, even(spec, T0.plusSeconds(3), 300, 80, 80, 6));

        assertThat(afterScaleUp.reason()).as("13.3/s per replica must not be learned")
                .contains("/ 40.0/s per replica").doesNotContain("measured");
        Recommendation settled = policy.recommend(spec, even(spec, T0.plusSeconds(4), 300, 80, 240, 6));
        assertThat(settled.reason()).contains("/ 40.0/s per replica");
    }

    @Test
    void shouldNotMentionADisagreementWhenMeasurementIsWithinTwentyPercentOfTheModel() {
        FunctionSpec spec = sleepy();
        RateAwarePolicy policy = new RateAwarePolicy();
        policy.useRunTimes(runTimes(spec, 100_000, 5));
        Recommendation r = null;
        for (int s = 0; s < 2 + AbstractScalingPolicy.BUSY_SAMPLES_TO_LEARN; s++) {
            r = policy.recommend(spec, even(spec, T0.plusSeconds(s), 30, 70, 70, 2)); // 35/s a replica: -12.5 %
        }
        assertThat(r.reason()).contains("/ 35.0/s per replica").doesNotContain("measured");
    }

    @Test
    void shouldForecastWithTheModelsRateWhenPredictiveBeforeAnyBusySample() {
        FunctionSpec spec = sleepy();
        PredictivePolicy policy = new PredictivePolicy(Duration.ofSeconds(10));
        policy.useRunTimes(runTimes(spec, 100_000, 5));
        Recommendation r = null;
        for (int s = 0; s <= 10; s++) {
            r = policy.recommend(spec, even(spec, T0.plusSeconds(s), 0, 10 + 10 * s, 0, 1)); // +10/s each second
        }
        assertThat(r.reason()).contains("forecast arrival in 10 s").contains("/ 40.0/s per replica");
        assertThat(r.replicas()).as("more than the 110/s of now needs, ceil(110 / 40) = 3").isGreaterThan(3);
    }

    /**
     * {@code ferry demo}'s echo: about 3 µs a call, 8 slots, 20 calls/s, maxReplicas 8. Its pool wakes from zero with
     * a burst of lag, and afterwards the lag stands at a floor of about 45 (records acquired and not yet
     * acknowledged) with bursts when delivery stalls: completions follow arrivals, never the replicas. Such samples
     * once taught 2.9/s per replica and pinned the pool at 8.
     */
    @Test
    void shouldNotLearnAReplicasSpeedFromLagThatArrivalsAndStallsMadeWhenAPoolWakesFromZero() {
        FunctionSpec echo = FunctionSpec.newBuilder(spec("echo", Delivery.QUEUE, 6, 0, 8)).setConcurrency(8)
                .setTargetLagPerReplica(20).build();
        AbstractScalingPolicy policy = (AbstractScalingPolicy) ScalingPolicies.fromConfig(
                dev.ferry.core.config.FerryConfig.defaults().autoscaler());
        policy.useRunTimes(runTimes(echo, 3, 50));
        long[] lags = {20, 40, 45, 45, 45, 45, 30, 45, 45, 10, 45, 45, 20, 45, 45, 45, 30, 45, 45, 45, 45, 45, 45, 30,
            45, 45, 45, 45, 45, 45};
        double arrival = 20;
        int replicas = 0;
        long lagBefore = 0;
        Recommendation r = null;
        for (int s = 0; s < lags.length; s++) {
            // Sampled a second apart: what completed is what arrived plus the backlog's change.
            double served = replicas == 0 ? 0 : Math.max(0, arrival + lagBefore - lags[s]);
            r = policy.recommend(echo, even(echo, T0.plusSeconds(s), lags[s], arrival, served, replicas));
            replicas = r.replicas(); // the pool has the size decided by the next sample
            lagBefore = lags[s];
        }
        Recommendation drained = policy.recommend(echo, even(echo, T0.plusSeconds(lags.length), 5, arrival,
                arrival + lagBefore - 5, replicas));

        assertThat(drained.replicas()).as("20 calls/s of 3 µs each keep one replica idle nearly all the time: "
                + drained.reason()).isBetween(1, 2);
        assertThat(drained.reason()).doesNotContain("capped by maxReplicas");
    }
}
