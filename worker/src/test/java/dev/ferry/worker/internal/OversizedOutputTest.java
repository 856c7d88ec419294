package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

class OversizedOutputTest {

    private static final InvocationResult NINE_MIB = InvocationResult.newBuilder()
            .setInvocationId("id-1").setTenant("acme").setFunction("hook").setAttempt(1)
            .setStatus(InvocationStatus.SUCCEEDED).setOutput(ByteBuffer.wrap(new byte[9 * 1024 * 1024]))
            .setContentType("text/plain").setMemoryMb(256)
            .setSubmittedAt(Instant.ofEpochMilli(1)).setStartedAt(Instant.ofEpochMilli(2))
            .setFinishedAt(Instant.ofEpochMilli(1302)).setDurationMicros(1_300_000).setColdStart(true)
            .setWorker("w-1").build();

    @Test
    void shouldFailFinallyWithTheReasonAndKeepTheRunTimeWhenTheOutputIsDropped() {
        InvocationResult slim = OversizedOutput.withoutOutput(NINE_MIB, 8 * 1024 * 1024, true);

        assertThat(slim.getStatus()).isEqualTo(InvocationStatus.FAILED);
        assertThat(slim.getOutput()).isNull();
        assertThat(slim.getFinal$()).isTrue();
        assertThat(ReasonCode.parse(slim.getReasonCode())).contains(ReasonCode.OUTPUT_TOO_LARGE);
        assertThat(slim.getError()).contains("9437184 bytes").contains("limit of 8388608");
        assertThat(slim).usingRecursiveComparison()
                .ignoringFields("status", "output", "error", "final$", "reasonCode").isEqualTo(NINE_MIB);
    }

    @Test
    void shouldRecogniseASizeRefusalOnlyWhenARecordTooLargeExceptionIsInTheChain() {
        assertThat(OversizedOutput.isCause(new CompletionException(new RecordTooLargeException("big")))).isTrue();
        assertThat(OversizedOutput.isCause(new KafkaException("other"))).isFalse();
        assertThat(OversizedOutput.isCause(null)).isFalse();
    }
}
