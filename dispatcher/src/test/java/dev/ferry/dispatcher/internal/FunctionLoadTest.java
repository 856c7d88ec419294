package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FunctionLoadTest {

    @Test
    void shouldAddOwnSendsToTheSampledLagWhenRouting() {
        FunctionLoad load = new FunctionLoad(new long[] {5, 0});
        load.sent(1);
        load.sent(1);
        load.sent(3);
        assertThat(load.lag(0)).isEqualTo(5);
        assertThat(load.lag(1)).isEqualTo(2);
        assertThat(load.lag(2)).isZero();
        assertThat(load.lag(3)).isEqualTo(1); // a partition added after the sample was taken
    }

    @Test
    void shouldCountOnlyOwnSendsWhenNoSampleArrivedYet() {
        FunctionLoad load = FunctionLoad.unknown();
        assertThat(load.lag(0)).isZero();
        load.sent(0);
        assertThat(load.lag(0)).isEqualTo(1);
    }

    @Test
    void shouldTreatThePartitionAsEmptyWhenTheSampleIsNegative() {
        assertThat(new FunctionLoad(new long[] {-3}).lag(0)).isZero();
    }
}
