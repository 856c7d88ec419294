package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.NonRetriableFerryException;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.invocation.ReasonCode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureHandlerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldBeDoneWhenTheAttemptSucceeded() {
        Outcome ok = Outcome.succeeded(new byte[0], "text/plain", NOW, NOW, 1);
        assertThat(FailureHandler.decide(ok, 1, 3)).isEqualTo(Decision.DONE);
    }

    @Test
    void shouldRetryWhenAttemptsRemain() {
        Outcome failed = Outcome.failed(new RetriableFerryException("down"), NOW, NOW, 1);
        Outcome timedOut = Outcome.timedOut(100, NOW, NOW, 100_000);

        assertThat(FailureHandler.decide(failed, 1, 3)).isEqualTo(Decision.RETRY);
        assertThat(FailureHandler.decide(timedOut, 2, 3)).isEqualTo(Decision.RETRY);
    }

    @Test
    void shouldDeadLetterWhenTheLastAttemptFailed() {
        Outcome failed = Outcome.failed(new IllegalStateException("bug"), NOW, NOW, 1);
        assertThat(FailureHandler.decide(failed, 3, 3)).isEqualTo(Decision.DLQ);
    }

    @Test
    void shouldDeadLetterAtOnceWhenTheFunctionCannotRunHere() {
        Outcome unavailable = Outcome.failed(new FunctionUnavailableException("disabled"), NOW, NOW, 0);
        assertThat(FailureHandler.decide(unavailable, 1, 3)).isEqualTo(Decision.DLQ);
    }

    @Test
    void shouldDeadLetterAtOnceAsNotRetriableWhenTheFunctionSaysNoRetryCanHelp() {
        Outcome bad = Outcome.failed(new NonRetriableFerryException("order 42 has no lines"), NOW, NOW, 7);

        Decision decision = FailureHandler.decide(bad, 1, 5);
        assertThat(decision).isEqualTo(Decision.DLQ);
        assertThat(FailureHandler.isFinal(decision)).isTrue();
        assertThat(FailureHandler.reason(bad, decision)).isEqualTo(ReasonCode.NOT_RETRIABLE);
    }

    @Test
    void shouldSayTheResultIsFinalWhenNoRetryFollows() {
        assertThat(FailureHandler.isFinal(Decision.DONE)).isTrue();
        assertThat(FailureHandler.isFinal(Decision.DLQ)).isTrue();
        assertThat(FailureHandler.isFinal(Decision.REJECT)).isTrue();
        assertThat(FailureHandler.isFinal(Decision.RETRY)).isFalse();
    }

    @Test
    void shouldNameFunctionUnavailableWhenTheFunctionCannotRunHere() {
        Outcome unavailable = Outcome.failed(new FunctionUnavailableException("no class"), NOW, NOW, 0);

        assertThat(FailureHandler.reason(unavailable, FailureHandler.decide(unavailable, 1, 3)))
                .isEqualTo(ReasonCode.FUNCTION_UNAVAILABLE);
    }

    @Test
    void shouldNameAttemptsExhaustedWhenTheLastAttemptFailedOrTimedOut() {
        Outcome failed = Outcome.failed(new IllegalStateException("bug"), NOW, NOW, 1);
        Outcome timedOut = Outcome.timedOut(100, NOW, NOW, 100_000);

        assertThat(FailureHandler.reason(failed, FailureHandler.decide(failed, 3, 3)))
                .isEqualTo(ReasonCode.ATTEMPTS_EXHAUSTED);
        assertThat(FailureHandler.reason(timedOut, FailureHandler.decide(timedOut, 1, 1)))
                .isEqualTo(ReasonCode.ATTEMPTS_EXHAUSTED);
    }

    @Test
    void shouldGiveNoReasonWhenTheAttemptSucceededOrIsRetried() {
        Outcome ok = Outcome.succeeded(new byte[0], "text/plain", NOW, NOW, 1);
        Outcome failed = Outcome.failed(new RetriableFerryException("down"), NOW, NOW, 1);

        assertThat(FailureHandler.reason(ok, FailureHandler.decide(ok, 1, 3))).isNull();
        assertThat(FailureHandler.reason(failed, FailureHandler.decide(failed, 1, 3))).isNull();
    }
}
