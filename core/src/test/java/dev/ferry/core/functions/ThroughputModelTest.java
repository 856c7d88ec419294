package dev.ferry.core.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

class ThroughputModelTest {

    @Test
    void shouldGiveEightyPerSecondWhenAHundredMillisecondFunctionRunsFourWideOnTwoReplicas() {
        ThroughputModel model = ThroughputModel.of(100_000, 2, 4);
        assertThat(model.perSlotRate().getAsDouble()).isCloseTo(10.0, within(1e-9));
        assertThat(model.capacityPerSecond().getAsDouble()).isCloseTo(80.0, within(1e-9));
        assertThat(model.utilization(40).getAsDouble()).isCloseTo(0.5, within(1e-9));
        assertThat(model.replicasFor(100).getAsDouble()).isEqualTo(3.0);
    }

    @Test
    void shouldSayNothingWhenTheRunTimeIsNotMeasuredOrThePoolIsEmpty() {
        ThroughputModel unmeasured = ThroughputModel.of(0, 2, 4);
        assertThat(unmeasured.measured()).isFalse();
        assertThat(unmeasured.capacityPerSecond()).isEmpty();
        assertThat(unmeasured.utilization(10)).isEmpty();
        assertThat(ThroughputModel.of(100_000, 0, 4).capacityPerSecond().getAsDouble()).isZero();
        assertThat(ThroughputModel.of(100_000, 0, 4).utilization(10)).isEmpty();
    }

    @Test
    void shouldRefuseAWidthOrConcurrencyBelowOne() {
        assertThatThrownBy(() -> new ThroughputModel(0.1, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThroughputModel(0.1, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThroughputModel(0.1, 1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 200)
    void shouldScaleCapacityLinearlyInReplicasAndConcurrency(
            @ForAll @DoubleRange(min = 0.0001, max = 900) @Scale(4) double seconds,
            @ForAll @IntRange(min = 1, max = 1000) int replicas,
            @ForAll @IntRange(min = 1, max = 1000) int concurrency,
            @ForAll @IntRange(min = 1, max = 10) int factor) {
        double base = new ThroughputModel(seconds, 1, replicas, concurrency).capacityPerSecond().getAsDouble();
        double moreReplicas = new ThroughputModel(seconds, 1, replicas * factor, concurrency)
                .capacityPerSecond().getAsDouble();
        double moreSlots = new ThroughputModel(seconds, 1, replicas, concurrency * factor)
                .capacityPerSecond().getAsDouble();
        assertThat(moreReplicas).isCloseTo(base * factor, within(base * factor * 1e-9));
        assertThat(moreSlots).isCloseTo(base * factor, within(base * factor * 1e-9));
    }

    @Property(tries = 200)
    void shouldScaleCapacityInverselyInRunTimeAndWidth(
            @ForAll @DoubleRange(min = 0.0001, max = 900) @Scale(4) double seconds,
            @ForAll @IntRange(min = 1, max = 100) int width,
            @ForAll @IntRange(min = 1, max = 100) int replicas,
            @ForAll @IntRange(min = 1, max = 100) int concurrency,
            @ForAll @IntRange(min = 1, max = 10) int factor) {
        double base = new ThroughputModel(seconds, width, replicas, concurrency).capacityPerSecond().getAsDouble();
        double slower = new ThroughputModel(seconds * factor, width, replicas, concurrency)
                .capacityPerSecond().getAsDouble();
        double wider = new ThroughputModel(seconds, width * factor, replicas, concurrency)
                .capacityPerSecond().getAsDouble();
        assertThat(slower).isCloseTo(base / factor, within(base / factor * 1e-9));
        assertThat(wider).isCloseTo(base / factor, within(base / factor * 1e-9));
    }

    @Property(tries = 200)
    void shouldReachUtilizationOneExactlyWhenArrivalsEqualCapacity(
            @ForAll @DoubleRange(min = 0.0001, max = 900) @Scale(4) double seconds,
            @ForAll @IntRange(min = 1, max = 100) int replicas,
            @ForAll @IntRange(min = 1, max = 100) int concurrency) {
        ThroughputModel model = new ThroughputModel(seconds, 1, replicas, concurrency);
        double capacity = model.capacityPerSecond().getAsDouble();
        assertThat(model.utilization(capacity).getAsDouble()).isCloseTo(1.0, within(1e-9));
        // Just under the capacity needs exactly the replicas there are (just over would round up to one more).
        assertThat(model.replicasFor(capacity * (1 - 1e-9)).getAsDouble()).isEqualTo(replicas);
    }
}
