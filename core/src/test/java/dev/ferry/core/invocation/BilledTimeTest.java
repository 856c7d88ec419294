package dev.ferry.core.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BilledTimeTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldRoundUpToTheMillisecondWhenTheAttemptRan() {
        assertThat(BilledTime.ranMillis(1)).isEqualTo(1);
        assertThat(BilledTime.ranMillis(999)).isEqualTo(1);
        assertThat(BilledTime.ranMillis(1_000)).isEqualTo(1);
        assertThat(BilledTime.ranMillis(1_001)).isEqualTo(2);
        assertThat(BilledTime.ranMillis(2_500_000)).isEqualTo(2_500);
        assertThat(BilledTime.ranMillis(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / 1000 + 1);
    }

    @Test
    void shouldBillAtLeastOneMillisecondWhenARunMeasuredNoTime() {
        assertThat(BilledTime.ranMillis(0)).isEqualTo(1);
        assertThat(BilledTime.ranMillis(-5)).isEqualTo(1);
        assertThat(BilledTime.billedMillis(result(InvocationStatus.SUCCEEDED, 0, null))).isEqualTo(1);
        assertThat(BilledTime.billedMillis(result(InvocationStatus.FAILED, 0, ReasonCode.DELIVERY_LIMIT))).isEqualTo(1);
    }

    @Test
    void shouldBillNothingWhenTheAttemptNeverReachedAWorker() {
        assertThat(BilledTime.billedMillis(result(InvocationStatus.REJECTED, 0, ReasonCode.UNKNOWN_FUNCTION)))
                .isZero();
        assertThat(BilledTime.billedMillis(result(InvocationStatus.REJECTED, 0, null))).isZero();
        assertThat(BilledTime.billedMillis(result(InvocationStatus.THROTTLED, 0, null))).isZero();
        assertThat(BilledTime.ran(result(InvocationStatus.REJECTED, 0, ReasonCode.DEADLINE_PASSED))).isFalse();
    }

    @Test
    void shouldBillNothingWhenTheFunctionCouldNotStart() {
        InvocationResult unavailable = result(InvocationStatus.FAILED, 0, ReasonCode.FUNCTION_UNAVAILABLE);

        assertThat(BilledTime.ran(unavailable)).isFalse();
        assertThat(BilledTime.billedMillis(unavailable)).isZero();
    }

    @Test
    void shouldBillTheRunWhenAReasonFollowsMeasuredTime() {
        // The reason says why no further attempt follows; the run it reports still happened.
        assertThat(BilledTime.billedMillis(result(InvocationStatus.FAILED, 1_500, ReasonCode.ATTEMPTS_EXHAUSTED)))
                .isEqualTo(2);
        assertThat(BilledTime.billedMillis(result(InvocationStatus.SUCCEEDED, 10, ReasonCode.OUTPUT_TOO_LARGE)))
                .isEqualTo(1);
        assertThat(BilledTime.billedMillis(result(InvocationStatus.FAILED, 0, null))).isEqualTo(1);
    }

    @Test
    void shouldTreatAnUnknownReasonAsARunWhenANewerWriterSentIt() {
        InvocationResult result = result(InvocationStatus.FAILED, 0, null);
        result.setReasonCode("something_new");

        assertThat(BilledTime.billedMillis(result)).isEqualTo(1);
    }

    @Property
    void shouldBillTheSmallestWholeMillisecondsCoveringTheRun(
            @ForAll @LongRange(min = 1, max = Long.MAX_VALUE - 1000) long micros) {
        long billed = BilledTime.ranMillis(micros);

        assertThat(billed).isPositive();
        assertThat(billed * 1000).as("covers the run").isGreaterThanOrEqualTo(micros);
        assertThat((billed - 1) * 1000).as("no whole millisecond more than needed").isLessThan(micros);
    }

    @Property
    void shouldNeverBillMoreForAShorterRun(@ForAll @LongRange(min = -10, max = 10_000_000) long a,
            @ForAll @LongRange(min = -10, max = 10_000_000) long b) {
        long shorter = Math.min(a, b);
        long longer = Math.max(a, b);

        assertThat(BilledTime.ranMillis(shorter)).isLessThanOrEqualTo(BilledTime.ranMillis(longer));
    }

    @Property
    void shouldBillZeroExactlyWhenTheAttemptDidNotRun(@ForAll("statuses") InvocationStatus status,
            @ForAll @LongRange(min = 0, max = 5_000_000) long micros, @ForAll("reasons") ReasonCode reason) {
        InvocationResult result = result(status, micros, reason);
        boolean neverReached = status == InvocationStatus.REJECTED || status == InvocationStatus.THROTTLED;
        boolean couldNotStart = micros == 0 && reason != null && BilledTime.NEVER_RAN.contains(reason);

        assertThat(BilledTime.ran(result)).isEqualTo(!neverReached && !couldNotStart);
        assertThat(BilledTime.billedMillis(result) == 0).isEqualTo(neverReached || couldNotStart);
        if (BilledTime.ran(result)) {
            assertThat(BilledTime.billedMillis(result)).isEqualTo(Math.max(1, (micros + 999) / 1000));
        }
    }

    @Provide
    Arbitrary<InvocationStatus> statuses() {
        return Arbitraries.of(InvocationStatus.class);
    }

    @Provide
    Arbitrary<ReasonCode> reasons() {
        return Arbitraries.of(ReasonCode.class).injectNull(0.3);
    }

    private static InvocationResult result(InvocationStatus status, long micros, ReasonCode reason) {
        InvocationRequest request = InvocationRequest.newBuilder().setInvocationId("i-1").setTenant("acme")
                .setFunction("echo").setPayload(ByteBuffer.allocate(0)).setSubmittedAt(NOW).build();
        return InvocationResults.resultOf(request).setStatus(status).setMemoryMb(128).setStartedAt(NOW)
                .setFinishedAt(NOW).setDurationMicros(micros).setReasonCode(reason == null ? null : reason.code())
                .build();
    }
}
