package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.MeteringConfig.Plan;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
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

    @Test
    void shouldKeepOnlyWhatBillingReadsWhenAResultCarriesALargeOutput() {
        InvocationResult result = InvocationResult.newBuilder()
                .setInvocationId("id-1").setTenant("acme").setFunction("echo").setAttempt(2)
                .setStatus(InvocationStatus.SUCCEEDED).setOutput(ByteBuffer.wrap(new byte[1_100_000]))
                .setContentType("text/plain").setError("partly").setMemoryMb(512)
                .setSubmittedAt(Instant.ofEpochMilli(1)).setStartedAt(Instant.ofEpochMilli(2))
                .setFinishedAt(Instant.ofEpochMilli(3)).setDurationMicros(2_500).setColdStart(true)
                .setWorker("w-1").setFinal$(true).setReasonCode(null).build();

        InvocationResult billable = Billing.billable(result);

        assertThat(billable.getOutput()).isNull();
        assertThat(billable.getError()).isNull();
        assertThat(billable.getWorker()).isNull();
        assertThat(billable).usingRecursiveComparison()
                .ignoringFields("output", "error", "worker", "contentType").isEqualTo(result);
        byte[] encoded = Fixtures.resultSerde().serializer().serialize("t", billable);
        assertThat(encoded.length).isLessThan(256);
    }
}
