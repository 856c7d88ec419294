package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.even;
import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autoscaler.simulation.SimulatedClock;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Every change of a group's members costs service ({@link RateAwarePolicy#REGROUP}), so replicas that would only
 * drain a backlog are added when they drain it sooner with that cost counted (issue 16: the real-broker benchmark's
 * pool went 6 → 8 → 6 → 8 at a steady 35/s). The benchmark's function: 100 ms a call, one slot, 6 partitions, at
 * most 8 replicas; replicas asked for start in a second, so the model says 10/s per replica.
 */
class RegroupCostTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static FunctionSpec sleep() {
        return FunctionSpec.newBuilder(spec("sleep", Delivery.QUEUE, 6, 0, 8)).setConcurrency(1).build();
    }

    private static PredictivePolicy policy(FunctionSpec spec) {
        PredictivePolicy policy = new PredictivePolicy(Duration.ofSeconds(1));
        RunTimes times = new RunTimes();
        for (int i = 0; i < 5; i++) {
            times.observe(InvocationResult.newBuilder().setInvocationId("i" + i).setTenant(spec.getTenant())
                    .setFunction(spec.getName()).setAttempt(1).setStatus(InvocationStatus.SUCCEEDED)
                    .setDurationMicros(100_000).setMemoryMb(128).setSubmittedAt(T0).setStartedAt(T0)
                    .setFinishedAt(T0).build());
        }
        policy.useRunTimes(times);
        return policy;
    }

    @Test
    void shouldHoldASizeThatKeepsUpWhenItDrainsTheBacklogSoonerThanAChangeWould() {
        FunctionSpec spec = sleep();
        // The benchmark's pool after a regroup stall: six members carry 60/s against 35/s arriving, 82 waiting.
        Recommendation r = policy(spec).recommend(spec, even(spec, T0, 88, 35, 35, 6), 6);

        assertThat(r.replicas()).as("six drain 82 records in 3.3 s; eight need a start, two regroups: 5.8 s")
                .isEqualTo(6);
        assertThat(r.sustained()).isEqualTo(6);
        assertThat(r.reason()).contains("holding 6: it drains the backlog in 3.3 s")
                .contains("8 in 7.8 s with its start-up and regroups (2.0 s each)");
    }

    @Test
    void shouldAddDrainReplicasWhenTheBacklogIsLargeEnoughToPayForTheirRegroups() {
        FunctionSpec spec = sleep();
        Recommendation r = policy(spec).recommend(spec, even(spec, T0, 1_006, 35, 35, 6), 6);

        assertThat(r.replicas()).as("six take 40 s for 1,000 records, eight 26 s with their costs").isEqualTo(8);
        assertThat(r.sustained()).as("the two more only drain").isEqualTo(6);
    }

    @Test
    void shouldAddNoDrainReplicaBeyondAChangeThatIsDueAnywayWhenItWouldNotPayForItsRelease() {
        FunctionSpec spec = sleep();
        // The step's first sample at 35/s: three members cannot keep up (30/s on 6 partitions), six must come; a
        // seventh would drain 27 records a little sooner but costs a regroup more when it leaves.
        Recommendation r = policy(spec).recommend(spec, even(spec, T0, 30, 35, 30, 3), 3);

        assertThat(r.replicas()).isEqualTo(6);
        assertThat(r.reason()).contains("; 6 drains the backlog in");
    }

    @Test
    void shouldCompareWithTheSizeInForceWhileDecidedMembersAreStillJoining() {
        FunctionSpec spec = sleep();
        // Six decided, three showing yet: the six that are coming drain the backlog; asking for eight adds regroups.
        Recommendation r = policy(spec).recommend(spec, even(spec, T0, 88, 35, 35, 3), 6);

        assertThat(r.replicas()).isEqualTo(6);
    }

    @Test
    void shouldGiveThePolicyTheSizeItDecidedNotTheMembersItSees() {
        FunctionSpec spec = sleep();
        SimulatedClock clock = new SimulatedClock(T0);
        ScalingController controller = new ScalingController(policy(spec), new ScalingController.Settings(
                Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofSeconds(3), 100), clock);
        controller.seed(dev.ferry.core.functions.FunctionSpecs.ref(spec), 6);

        // Decided six, three of them joined so far, a backlog of 88 at 35/s.
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 88, 35, 35, 3)))
                .as("no resize to 8 while the six decided drain it sooner").extracting(ScalingDecision::getTo)
                .isEmpty();
    }
}
