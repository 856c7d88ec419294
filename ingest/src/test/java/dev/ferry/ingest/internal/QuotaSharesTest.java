package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuotaSharesTest {

    @Test
    void shouldGiveTheWholeLimitWhenOneGatewayIsLive() {
        assertThat(QuotaShares.split(50, new double[] {0})).containsExactly(50);
        assertThat(QuotaShares.split(50, new double[] {300})).containsExactly(50);
    }

    @Test
    void shouldSplitEvenlyWhenNoGatewayReportsDemand() {
        assertThat(QuotaShares.split(50, new double[] {0, 0})).containsExactly(25, 25);
    }

    @Test
    void shouldSplitEvenlyWhenDemandIsEven() {
        assertThat(QuotaShares.split(50, new double[] {60, 60})).containsExactly(25, 25);
    }

    @Test
    void shouldGiveNearlyAllToTheOnlyGatewayWithDemandAndKeepAFloorForTheIdleOne() {
        double[] shares = QuotaShares.split(50, new double[] {100, 0});
        // The idle gateway keeps 10% / 2 of the limit, so traffic that starts there is admitted at once.
        assertThat(shares[1]).isCloseTo(2.5, within(1e-9));
        assertThat(shares[0]).isCloseTo(47.5, within(1e-9));
    }

    @Test
    void shouldGiveAGatewayWantingLessThanAnEvenSplitAllItWants() {
        double[] shares = QuotaShares.split(50, new double[] {100, 10});
        assertThat(shares[1]).isCloseTo(10, within(1e-9));
        assertThat(shares[0]).isCloseTo(40, within(1e-9));
    }

    @Test
    void shouldHandOutWhatNobodyWantsInProportionToDemand() {
        double[] shares = QuotaShares.split(100, new double[] {30, 10});
        // Both get what they want; the 60 left go 3:1.
        assertThat(shares[0]).isCloseTo(30 + 45, within(1e-9));
        assertThat(shares[1]).isCloseTo(10 + 15, within(1e-9));
    }

    @Test
    void shouldAlwaysAddUpToTheLimitAndGiveEveryGatewayItsFloor() {
        Random random = new Random(15);
        for (int round = 0; round < 10_000; round++) {
            int n = 1 + random.nextInt(8);
            double limit = 0.5 + random.nextDouble() * 1000;
            double[] demands = random.doubles(n, 0, 2000).map(d -> random.nextInt(3) == 0 ? 0 : d).toArray();
            double[] shares = QuotaShares.split(limit, demands);
            assertThat(Arrays.stream(shares).sum()).isCloseTo(limit, within(limit * 1e-9));
            for (double share : shares) {
                assertThat(share).isGreaterThanOrEqualTo(QuotaShares.FLOOR_FRACTION * limit / n - 1e-9);
            }
        }
    }

    @Test
    void shouldApportionWholeSlotsThatAddUpToTheLimitBreakingTiesByOrder() {
        assertThat(QuotaShares.apportion(4, QuotaShares.split(4, new double[] {4, 4}))).containsExactly(2, 2);
        assertThat(QuotaShares.apportion(4, QuotaShares.split(4, new double[] {0, 0, 0}))).containsExactly(2, 1, 1);
        assertThat(QuotaShares.apportion(4, QuotaShares.split(4, new double[] {4, 0}))).containsExactly(4, 0);
        assertThat(QuotaShares.apportion(4, QuotaShares.split(4, new double[] {1, 4}))).containsExactly(1, 3);
        Random random = new Random(3);
        for (int round = 0; round < 10_000; round++) {
            int n = 1 + random.nextInt(6);
            int limit = 1 + random.nextInt(50);
            double[] demands = random.doubles(n, 0, 60).toArray();
            assertThat(Arrays.stream(QuotaShares.apportion(limit, QuotaShares.split(limit, demands))).sum())
                    .isEqualTo(limit);
        }
    }
}
