package dev.ferry.autoscaler.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KedaBaselineTest {

    private static final int THRESHOLD = 10;

    @Test
    void shouldActivateOnlyOnKedasPollingInterval() {
        KedaBaseline keda = new KedaBaseline(THRESHOLD, 6, 20);
        assertThat(keda.observe(0, 0)).isZero();
        assertThat(keda.observe(1, 500)).as("lag between two polls").isZero();
        assertThat(keda.observe(29, 500)).isZero();
        assertThat(keda.observe(30, 500)).as("the next poll activates one replica").isEqualTo(1);
    }

    @Test
    void shouldResizeBetweenOneAndNOnTheHpasSyncPeriodNotKedasPollingInterval() {
        KedaBaseline keda = new KedaBaseline(THRESHOLD, 6, 20, 1, 1.0);
        assertThat(keda.observe(0, 10)).isEqualTo(1);
        assertThat(keda.observe(5, 40)).as("inside the HPA's sync period").isEqualTo(1);
        assertThat(keda.observe(15, 40)).as("the HPA's next sync, 15 s in, before KEDA's next poll")
                .isEqualTo(4);
    }

    @Test
    void shouldScaleUpByAtMostTheLargerOfDoublingAndFourPodsPerSync() {
        KedaBaseline keda = new KedaBaseline(THRESHOLD, 100, 100, 1, 1.0);
        assertThat(keda.observe(0, 1_000)).as("1 + 4 beats doubling").isEqualTo(5);
        assertThat(keda.observe(15, 1_000)).as("doubling beats + 4").isEqualTo(10);
        assertThat(keda.observe(30, 1_000)).isEqualTo(20);
    }

    @Test
    void shouldKeepTheHighestRecommendationOfTheStabilizationWindowWhenScalingDown() {
        KedaBaseline keda = new KedaBaseline(THRESHOLD, 6, 20, 1, 1.0);
        assertThat(keda.observe(0, 60)).isEqualTo(5);
        assertThat(keda.observe(15, 60)).isEqualTo(6);
        assertThat(keda.observe(30, 10)).as("within 300 s of the recommendation of 6").isEqualTo(6);
        assertThat(keda.observe(330, 10)).as("after the window").isEqualTo(1);
    }

    @Test
    void shouldScaleToZeroOnlyAfterTheCooldownWithoutLag() {
        KedaBaseline keda = new KedaBaseline(THRESHOLD, 6, 20, 1, 1.0);
        assertThat(keda.observe(0, 10)).isEqualTo(1);
        assertThat(keda.observe(30, 10)).isEqualTo(1);
        assertThat(keda.observe(60, 0)).isEqualTo(1);
        assertThat(keda.observe(300, 0)).as("270 s since the last lag").isEqualTo(1);
        assertThat(keda.observe(330, 0)).as("300 s since the last lag").isZero();
    }
}
