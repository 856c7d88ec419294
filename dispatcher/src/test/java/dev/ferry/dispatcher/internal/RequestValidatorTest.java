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
}
