package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.even;
import static dev.ferry.autoscaler.Samples.sample;
import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autoscaler.simulation.SimulatedClock;
import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingControllerTest {

    private static final ScalingController.Settings SETTINGS = new ScalingController.Settings(
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30), 100);

    private final SimulatedClock clock = new SimulatedClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScalingController controller = new ScalingController(new ReactivePolicy(), SETTINGS, clock);

    @Test
    void shouldScaleAQueueFunctionWithTwoPartitionsToSixReplicasWhenABurstArrives() {
        FunctionSpec spec = spec("burst", Delivery.QUEUE, 2, 0, 6);
        List<ScalingDecision> decisions = controller.onSample(spec, sample(spec, clock.instant(), List.of(300L, 280L),
                580, 0, 0));
        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.getFrom()).isZero();
            assertThat(d.getTo()).isEqualTo(6);
            assertThat(d.getPolicy()).isEqualTo("reactive");
            assertThat(d.getReason()).contains("lag 580");
        });
    }

    @Test
    void shouldScaleUpAtOnceButDownOnlyAfterTheLowerSizeHeldForTheWindow() {
        FunctionSpec spec = spec("f", Delivery.QUEUE, 6, 0, 20);
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 80, 10, 10, 0)))
                .extracting(ScalingDecision::getTo).containsExactly(8);
        List<ScalingDecision> later = new ArrayList<>();
        for (int s = 1; s <= 29; s++) {
            clock.advance(Duration.ofSeconds(1));
            later.addAll(controller.onSample(spec, even(spec, clock.instant(), 20, 10, 30, 8)));
        }
        assertThat(later).as("still inside the 30 s window").isEmpty();
        for (int s = 0; s < 3; s++) {
            clock.advance(Duration.ofSeconds(1));
            later.addAll(controller.onSample(spec, even(spec, clock.instant(), 20, 10, 30, 8)));
        }
        assertThat(later).singleElement().satisfies(d -> {
            assertThat(d.getFrom()).isEqualTo(8);
            assertThat(d.getTo()).isEqualTo(2);
            assertThat(d.getReason()).contains("lag 20 / 10 per replica = 2");
        });
    }

    @Test
    void shouldGoToZeroOnlyAfterTheIdlePeriodAndComeBackAtTheFirstRecord() {
        FunctionSpec spec = spec("idle", Delivery.QUEUE, 6, 0, 20);
        controller.onSample(spec, even(spec, clock.instant(), 15, 5, 5, 0));
        List<ScalingDecision> decisions = new ArrayList<>();
        int members = 2;
        for (int s = 1; s <= 60; s++) { // idle from second 1 on: 59 s of idleness by the end
            clock.advance(Duration.ofSeconds(1));
            List<ScalingDecision> now = controller.onSample(spec, even(spec, clock.instant(), 0, 0, 0, members));
            decisions.addAll(now);
            members = now.isEmpty() ? members : now.get(now.size() - 1).getTo();
        }
        assertThat(decisions).extracting(ScalingDecision::getTo).containsExactly(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 0, 0, 0, 1)))
                .extracting(ScalingDecision::getTo).containsExactly(0);
        clock.advance(Duration.ofSeconds(1));
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 1, 1, 0, 0)))
                .singleElement().satisfies(d -> assertThat(d.getTo()).isEqualTo(1));
    }

    @Test
    void shouldSayAPoolIsSizedAboveZeroExactlyWhileItsSizeInForceIs() {
        FunctionSpec spec = spec("sized", Delivery.QUEUE, 6, 0, 20);
        FunctionSpec other = spec("other", Delivery.QUEUE, 6, 0, 20);
        PoolRef pool = PoolRef.of(new FunctionRef(spec.getTenant(), spec.getName()));
        PoolRef seeded = PoolRef.of(new FunctionRef(other.getTenant(), other.getName()));
        controller.seed(seeded, 2);
        assertThat(controller.sizedAboveZero(seeded)).as("seeded at 2").isTrue();
        controller.onSample(other, even(other, clock.instant(), 0, 0, 0, 0));
        assertThat(controller.sizedAboveZero(pool)).as("never sampled").isFalse();
        controller.onSample(spec, even(spec, clock.instant(), 15, 5, 5, 0));
        int members = 0;
        for (int s = 1; s <= 62; s++) {
            assertThat(controller.sizedAboveZero(pool)).as("second %d", s)
                    .isEqualTo(controller.sizeInForce(pool).orElse(0) > 0);
            assertThat(controller.sizedAboveZero(seeded)).as("second %d", s)
                    .isEqualTo(controller.sizeInForce(seeded).orElse(0) > 0);
            clock.advance(Duration.ofSeconds(1));
            List<ScalingDecision> now = controller.onSample(spec, even(spec, clock.instant(), 0, 0, 0, members));
            members = now.isEmpty() ? members : now.get(now.size() - 1).getTo();
            controller.onSample(other, even(other, clock.instant(), 0, 0, 0, 0));
        }
        assertThat(controller.sizeInForce(pool)).hasValue(0);
        assertThat(controller.sizedAboveZero(pool)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        controller.onSample(spec, even(spec, clock.instant(), 1, 1, 0, 0));
        assertThat(controller.sizedAboveZero(pool)).as("scaled up from zero").isTrue();
        controller.onRemoved(new FunctionRef(spec.getTenant(), spec.getName()));
        assertThat(controller.sizedAboveZero(pool)).as("removed").isFalse();
    }

    @Test
    void shouldStopScalingUpAStalledGroupAndSaySoInTheReason() {
        FunctionSpec spec = spec("stuck", Delivery.QUEUE, 6, 0, 20);
        controller.onSample(spec, even(spec, clock.instant(), 30, 0, 0, 0)); // -> 3
        List<ScalingDecision> decisions = new ArrayList<>();
        long lag = 30;
        for (int s = 1; s <= 120; s++) {
            clock.advance(Duration.ofSeconds(1));
            lag += 2; // records keep coming, none is completed
            decisions.addAll(controller.onSample(spec, even(spec, clock.instant(), lag, 2, 0, 3)));
        }
        // Lag reaches 270 (27 replicas' worth), but once the stall is recognised after 30 s the size holds.
        int size = controller.current(new FunctionRef("acme", "stuck")).orElseThrow();
        assertThat(size).isLessThanOrEqualTo(10);
        assertThat(decisions).allMatch(d -> !d.getAt().isAfter(clock.instant().minusSeconds(90)));
        clock.advance(Duration.ofSeconds(1));
        controller.onSample(spec, even(spec, clock.instant(), lag + 500, 2, 0, 3));
        assertThat(controller.current(new FunctionRef("acme", "stuck"))).hasValue(size);
    }

    @Test
    void shouldNotCountAPartitionWhoseLagIsFrozen() {
        FunctionSpec spec = spec("frozen", Delivery.QUEUE, 3, 0, 20);
        List<ScalingDecision> decisions = new ArrayList<>();
        int members = 2;
        for (int s = 0; s <= 70; s++) { // nothing arrives, nothing is done: partition 0 is stuck
            List<ScalingDecision> now = controller.onSample(spec, sample(spec, clock.instant(),
                    List.of(200L, 0L, 0L), 0, 0, members));
            decisions.addAll(now);
            members = now.isEmpty() ? members : now.get(now.size() - 1).getTo();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(decisions).extracting(ScalingDecision::getTo).containsExactly(20, 1);
        assertThat(decisions).anySatisfy(d -> assertThat(d.getReason()).contains("partitions [0] stalled"));
    }

    @Test
    void shouldShareTheBudgetByNeedWhenDemandExceedsIt() {
        ScalingController budgeted = new ScalingController(new ReactivePolicy(), new ScalingController.Settings(
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30), 12), clock);
        FunctionSpec big = spec("big", Delivery.QUEUE, 6, 0, 20);
        FunctionSpec small = spec("small", Delivery.QUEUE, 6, 0, 20);
        budgeted.onSample(big, even(big, clock.instant(), 160, 0, 0, 0));
        List<ScalingDecision> decisions = budgeted.onSample(small, even(small, clock.instant(), 80, 0, 0, 0));
        int bigSize = budgeted.current(new FunctionRef("acme", "big")).orElseThrow();
        int smallSize = budgeted.current(new FunctionRef("acme", "small")).orElseThrow();
        assertThat(bigSize + smallSize).isEqualTo(12);
        assertThat(bigSize).isEqualTo(8);
        assertThat(smallSize).isEqualTo(4);
        assertThat(decisions).anySatisfy(d -> assertThat(d.getReason()).contains("budget"));
    }

    @Test
    void shouldPublishNothingWhenTheSizeDoesNotChange() {
        FunctionSpec spec = spec("same", Delivery.QUEUE, 6, 0, 20);
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 40, 0, 0, 0))).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 40, 0, 0, 4))).isEmpty();
    }

    @Test
    void shouldScaleARemovedFunctionToZeroAndForgetIt() {
        FunctionSpec spec = spec("bye", Delivery.QUEUE, 6, 0, 20);
        controller.onSample(spec, even(spec, clock.instant(), 40, 0, 0, 0));
        FunctionRef ref = new FunctionRef("acme", "bye");
        assertThat(controller.onRemoved(ref)).singleElement().satisfies(d -> {
            assertThat(d.getTo()).isZero();
            assertThat(d.getReason()).isEqualTo("function removed");
        });
        assertThat(controller.current(ref)).isEmpty();
    }

    /**
     * A function deleted and created again at once: the first samples of the new function still count the deleted
     * function's retiring replica as a member of the group. The controller took that member as the size in force and
     * decided nothing until the members had differed from it for a while (10 s), so the new function's first calls
     * waited with its pool at zero (FunctionRedeployIT, session 10). It starts from the zero it decided at the delete.
     */
    @Test
    void shouldScaleAFunctionCreatedAgainFromZeroWhileTheDeletedOnesRetiringReplicaIsStillAMember() {
        FunctionSpec spec = spec("reborn", Delivery.QUEUE, 1, 1, 10);
        FunctionRef ref = new FunctionRef("acme", "reborn");
        controller.onSample(spec, even(spec, clock.instant(), 0, 0, 0, 1));
        assertThat(controller.onRemoved(ref)).singleElement().satisfies(d -> assertThat(d.getTo()).isZero());

        FunctionSpec again = spec("reborn", Delivery.QUEUE, 1, 0, 10);
        clock.advance(Duration.ofSeconds(1));
        List<ScalingDecision> decisions = controller.onSample(again, even(again, clock.instant(), 3, 0, 0, 1));
        assertThat(decisions).as("the new function's calls get a replica at once").singleElement()
                .satisfies(d -> assertThat(d.getTo()).isEqualTo(1));
    }

    /**
     * Issue 11: the first sample saw the replica of a worker in another process; that worker was killed with two
     * calls waiting. The controller took 1 as the size for good and decided nothing: replicas 0 and lag 4 for
     * minutes. Now the members it sees for a few polls are the size in force, and work with no member gets one.
     */
    @Test
    void shouldDecideAReplicaWhenTheMembersVanishWhileWorkWaits() {
        FunctionSpec spec = spec("sleep", Delivery.QUEUE, 1, 0, 10);
        FunctionRef ref = new FunctionRef("acme", "sleep");
        List<ScalingDecision> decisions = new ArrayList<>();
        for (int s = 0; s < 20; s++) { // the other worker's replica holds the pool, nothing to do
            decisions.addAll(controller.onSample(spec, even(spec, clock.instant(), 0, 0, 0, 1)));
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(decisions).isEmpty();
        assertThat(controller.current(ref)).hasValue(1);

        for (int s = 0; s < 5 && decisions.isEmpty(); s++) { // killed: no member, two calls waiting
            decisions.addAll(controller.onSample(spec, even(spec, clock.instant(), 2, 0, 0, 0)));
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.getFrom()).isZero();
            assertThat(d.getTo()).isEqualTo(1);
        });
    }

    @Test
    void shouldGiveADecidedSizeTimeToShowAsMembersBeforeDecidingAgain() {
        FunctionSpec spec = spec("slow-start", Delivery.QUEUE, 6, 0, 20);
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 60, 0, 0, 0)))
                .extracting(ScalingDecision::getTo).containsExactly(6);
        List<ScalingDecision> decisions = new ArrayList<>();
        for (int s = 0; s < 14; s++) { // replicas still starting: within the settle time nothing is repeated
            clock.advance(Duration.ofSeconds(1));
            decisions.addAll(controller.onSample(spec, even(spec, clock.instant(), 60, 0, 0, s < 10 ? 0 : 6)));
        }
        assertThat(decisions).isEmpty();
    }

    /** After a restart the first sample may show replicas still starting; the last decision is the size in force. */
    @Test
    void shouldStartFromTheSeededDecisionInsteadOfTheFirstSamplesMembers() {
        FunctionSpec spec = spec("restarted", Delivery.QUEUE, 6, 0, 20);
        FunctionRef ref = new FunctionRef("acme", "restarted");
        controller.seed(ref, 4);
        // Members 0 while the actuator replays 4; lag 5 alone would ask for 1 and shrink the pool being restored.
        assertThat(controller.onSample(spec, even(spec, clock.instant(), 5, 5, 5, 0))).isEmpty();
        assertThat(controller.current(ref)).hasValue(4);

        ScalingController unseeded = new ScalingController(new ReactivePolicy(), SETTINGS, clock);
        assertThat(unseeded.onSample(spec, even(spec, clock.instant(), 5, 5, 5, 0)))
                .extracting(ScalingDecision::getFrom).containsExactly(0);
    }
}
