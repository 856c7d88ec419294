package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.MeteringConfig.Plan;
import dev.ferry.schemas.InvocationStatus;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class BillingTest {

    private static final Plan LAMBDA = new Plan("default", new BigDecimal("0.0000166667"), new BigDecimal("0.0000002"));

    @Test
    void shouldComputeGbSecondsExactlyWhenMbMillisDoNotDivideEvenly() {
        assertThat(Billing.gbSeconds(1_024_000)).isEqualByComparingTo("1");
        assertThat(Billing.gbSeconds(128)).isEqualByComparingTo("0.000125");
        assertThat(Billing.gbSeconds(1)).isEqualByComparingTo("0.0000009765625");
    }

    @Test
    void shouldPriceGbSecondsAndRequestsWhenPlanIsLambdaList() {
        // 128 MB for 100 ms, one million times: 12,500 GB-s and 1M requests
        BigDecimal cost = Billing.cost(LAMBDA, 128L * 100 * 1_000_000, 1_000_000);
        assertThat(cost).isEqualTo(new BigDecimal("0.4083337500"));
        assertThat(cost.scale()).isEqualTo(10);
    }

    @Test
    void shouldRoundHalfEvenAtScaleTenWhenExactCostHasMoreDigits() {
        // 1 mbMillis = 0.0000009765625 GB-s; x 0.0000166667 = 0.00000000001627607421875 -> 0.0000000000 (below half)
        Plan gbOnly = new Plan("p", new BigDecimal("0.0000166667"), BigDecimal.ZERO);
        assertThat(Billing.cost(gbOnly, 1, 0)).isEqualTo(new BigDecimal("0.0000000000"));
        // exactly half a unit of the tenth decimal, odd neighbour below: rounds to even
        Plan half = new Plan("h", BigDecimal.ZERO, new BigDecimal("0.00000000015"));
        assertThat(Billing.cost(half, 0, 1)).isEqualTo(new BigDecimal("0.0000000002"));
        Plan halfEven = new Plan("e", BigDecimal.ZERO, new BigDecimal("0.00000000025"));
        assertThat(Billing.cost(halfEven, 0, 1)).isEqualTo(new BigDecimal("0.0000000002"));
    }

    @Test
    void shouldCountFailedAndTimedOutAsFailuresWhenClassifyingStatuses() {
        assertThat(Billing.failed(InvocationStatus.FAILED)).isTrue();
        assertThat(Billing.failed(InvocationStatus.TIMED_OUT)).isTrue();
        assertThat(Billing.failed(InvocationStatus.SUCCEEDED)).isFalse();
    }
}
