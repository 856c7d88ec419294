package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.dispatcher.Requests;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");
    private final FunctionSpec resize = FunctionSpecs.builder("acme", "resize", Runtime.JAVA, "echo").build();
    private final RequestValidator validator = new RequestValidator(
            ref -> ref.equals(new FunctionRef("acme", "resize")) ? Optional.of(resize) : Optional.empty(), 100);

    @Test
    void shouldAcceptWhenTheFunctionIsKnownAndTheLimitsAreMet() {
        RequestValidator.Verdict verdict = validator.check(Requests.unkeyed(), NOW);
        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.spec()).isSameAs(resize);
    }

    @Test
    void shouldRejectWhenTheFunctionIsNotDeployed() {
        RequestValidator.Verdict verdict = validator.check(Requests.request("acme", "crop").build(), NOW);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.rejection()).startsWith("unknown function acme/crop");
        assertThat(verdict.reason()).isEqualTo(ReasonCode.UNKNOWN_FUNCTION);
    }

    @Test
    void shouldRejectWhenTheTenantNameIsInvalid() {
        RequestValidator.Verdict verdict = validator.check(Requests.request("Acme Inc", "resize").build(), NOW);
        assertThat(verdict.rejection()).contains("tenant", "'Acme Inc'", "a-z");
        assertThat(verdict.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
    }

    @Test
    void shouldRejectWhenTheFunctionNameIsInvalid() {
        RequestValidator.Verdict verdict = validator.check(Requests.request("acme", "../etc").build(), NOW);
        assertThat(verdict.rejection()).contains("function", "'../etc'");
        assertThat(verdict.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
    }

    @Test
    void shouldRejectWithHowLateItIsWhenTheDeadlineHasPassed() {
        RequestValidator.Verdict verdict = validator.check(
                Requests.request("acme", "resize").setDeadline(NOW.minusMillis(1200)).build(), NOW);
        assertThat(verdict.rejection()).isEqualTo("deadline 2026-11-27T04:59:58.800Z passed 1200 ms before dispatch");
        assertThat(verdict.reason()).isEqualTo(ReasonCode.DEADLINE_PASSED);
    }

    @Test
    void shouldRejectAsPassedRatherThanOverflowWhenTheDeadlineIsTheEarliestInstantAMillisecondCountCanName() {
        RequestValidator.Verdict verdict = validator.check(
                Requests.request("acme", "resize").setDeadline(Instant.ofEpochMilli(Long.MIN_VALUE)).build(), NOW);
        assertThat(verdict.reason()).isEqualTo(ReasonCode.DEADLINE_PASSED);
        assertThat(verdict.rejection()).contains("passed " + Long.MAX_VALUE + " ms");
    }

    @Test
    void shouldAcceptWhenTheDeadlineIsStillAhead() {
        assertThat(validator.check(Requests.request("acme", "resize").setDeadline(NOW.plusMillis(1)).build(), NOW)
                .accepted()).isTrue();
    }

    @Test
    void shouldRejectWithSizeAndLimitWhenThePayloadIsTooLarge() {
        RequestValidator.Verdict verdict = validator.check(
                Requests.request("acme", "resize").setPayload(ByteBuffer.wrap(new byte[101])).build(), NOW);
        assertThat(verdict.rejection()).startsWith("payload of 101 bytes exceeds the limit of 100");
        assertThat(verdict.reason()).isEqualTo(ReasonCode.PAYLOAD_TOO_LARGE);
        assertThat(validator.check(
                Requests.request("acme", "resize").setPayload(ByteBuffer.wrap(new byte[100])).build(), NOW)
                .accepted()).isTrue();
    }

    @Test
    void shouldRejectAsInvalidRequestWhenTheAttemptIsNotPositive() {
        // A foreign producer's attempt -5 reached a worker, whose backoff refused it on every delivery.
        for (int attempt : new int[] {0, -5, Integer.MIN_VALUE}) {
            RequestValidator.Verdict verdict = validator.check(
                    Requests.request("acme", "resize").setAttempt(attempt).build(), NOW);
            assertThat(verdict.accepted()).as("attempt %d", attempt).isFalse();
            assertThat(verdict.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
            assertThat(verdict.rejection()).isEqualTo("attempt must be at least 1 (attempts count from 1), got " + attempt);
        }
    }

    @Test
    void shouldAcceptAttemptsUpToMaxAttemptsAndRejectThoseBeyond() {
        for (int attempt = 1; attempt <= resize.getMaxAttempts(); attempt++) {
            assertThat(validator.check(Requests.request("acme", "resize").setAttempt(attempt).build(), NOW)
                    .accepted()).as("attempt %d", attempt).isTrue();
        }
        RequestValidator.Verdict verdict = validator.check(
                Requests.request("acme", "resize").setAttempt(Integer.MAX_VALUE).build(), NOW);
        assertThat(verdict.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
        assertThat(verdict.rejection()).isEqualTo("attempt 2147483647 is beyond the maxAttempts of acme/resize (3)");
    }

    @Test
    void shouldRejectAsInvalidRequestWhenTheIdOrContentTypeCannotBeAnHttpHeaderValue() {
        RequestValidator.Verdict crlf = validator.check(Requests.request("acme", "resize")
                .setContentType("text/plain\r\nX-Injected: 1").build(), NOW);
        assertThat(crlf.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
        assertThat(crlf.rejection()).isEqualTo("contentType must be printable ASCII (it travels as an HTTP header "
                + "value), got U+000D at index 10");
        RequestValidator.Verdict unicodeId = validator.check(Requests.request("acme", "resize")
                .setInvocationId("caf\u00e9").build(), NOW);
        assertThat(unicodeId.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
        assertThat(unicodeId.rejection()).startsWith("invocationId must be printable ASCII");
        RequestValidator.Verdict longId = validator.check(Requests.request("acme", "resize")
                .setInvocationId("x".repeat(dev.ferry.core.invocation.HeaderText.MAX_LENGTH + 1)).build(), NOW);
        assertThat(longId.rejection()).isEqualTo("invocationId must be at most 256 characters, got 257");
        assertThat(validator.check(Requests.request("acme", "resize").setInvocationId("order-17/line 3")
                .setContentType("application/json; charset=utf-8").build(), NOW).accepted()).isTrue();
    }
}
