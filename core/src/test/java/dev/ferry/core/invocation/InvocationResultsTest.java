package dev.ferry.core.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InvocationResultsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldMarkATerminalResultFinalWithItsReasonWhenTheInvocationEndsWithoutARun() {
        InvocationRequest request = InvocationRequest.newBuilder().setInvocationId("i-1").setTenant("acme")
                .setFunction("echo").setPayload(ByteBuffer.allocate(0)).setSubmittedAt(NOW).setAttempt(2).build();

        InvocationResult result = InvocationResults.terminal(request, InvocationStatus.REJECTED,
                ReasonCode.PAYLOAD_TOO_LARGE, "too big", 256, NOW, "w#1");

        assertThat(result.getFinal$()).isTrue();
        assertThat(result.getReasonCode()).isEqualTo("payload_too_large");
        assertThat(ReasonCode.parse(result.getReasonCode())).contains(ReasonCode.PAYLOAD_TOO_LARGE);
        assertThat(result.getAttempt()).isEqualTo(2);
        assertThat(result.getDurationMicros()).isZero();
        assertThat(BilledTime.billedMillis(result)).isZero();
    }

    @Test
    void shouldLeaveFinalityUnsaidWhenOnlyTheIdentifyingFieldsAreCopied() {
        InvocationRequest request = InvocationRequest.newBuilder().setInvocationId("i-1").setTenant("acme")
                .setFunction("echo").setPayload(ByteBuffer.allocate(0)).setSubmittedAt(NOW).build();

        InvocationResult.Builder builder = InvocationResults.resultOf(request);

        assertThat(builder.getFinal$()).isNull();
        assertThat(builder.getReasonCode()).isNull();
    }
}
