package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FinalityTest {

    private static boolean isFinal(InvocationStatus status, int attempt, int maxAttempts) {
        return Finality.isFinal(ResultStoreTest.result("a", "acme", attempt, status, Instant.now()), maxAttempts);
    }

    private static boolean declaredFinal(Boolean declared, InvocationStatus status, int attempt, int maxAttempts) {
        InvocationResult result = ResultStoreTest.result("a", "acme", attempt, status, Instant.now());
        result.setFinal$(declared);
        return Finality.isFinal(result, maxAttempts);
    }

    @Test
    void shouldTrustTheWriterWhenTheResultSaysWhetherItIsFinal() {
        // A missing handler class: the worker gives up on attempt 1 of 3, and says so.
        assertThat(declaredFinal(true, InvocationStatus.FAILED, 1, 3)).isTrue();
        assertThat(declaredFinal(false, InvocationStatus.FAILED, 1, 3)).isFalse();
        // The writer knows better than a stale maxAttempts (e.g. the function was redeployed with more attempts).
        assertThat(declaredFinal(false, InvocationStatus.TIMED_OUT, 3, 3)).isFalse();
    }

    @Test
    void shouldWaitForTheRetryWhenAFailureHasAttemptsLeftAndTheWriterDidNotSay() {
        assertThat(isFinal(InvocationStatus.FAILED, 1, 3)).isFalse();
        assertThat(isFinal(InvocationStatus.TIMED_OUT, 2, 3)).isFalse();
        assertThat(isFinal(InvocationStatus.FAILED, 3, 3)).isTrue();
        assertThat(isFinal(InvocationStatus.TIMED_OUT, 1, 1)).isTrue();
    }

    @Test
    void shouldTakeEveryOtherStatusAsFinalWhateverTheAttemptWhenTheWriterDidNotSay() {
        assertThat(isFinal(InvocationStatus.SUCCEEDED, 1, 3)).isTrue();
        assertThat(isFinal(InvocationStatus.REJECTED, 1, 3)).isTrue();
        assertThat(isFinal(InvocationStatus.THROTTLED, 1, 3)).isTrue();
    }

    @Test
    void shouldTrustTheWritersFinalWhenTheResultCarriesOne() {
        var tooLarge = ResultStoreTest.result("a", "acme", 1, InvocationStatus.FAILED, Instant.now());
        tooLarge.setFinal$(true);
        assertThat(Finality.isFinal(tooLarge, 3)).isTrue();
        var retried = ResultStoreTest.result("b", "acme", 3, InvocationStatus.FAILED, Instant.now());
        retried.setFinal$(false);
        assertThat(Finality.isFinal(retried, 3)).isFalse();
    }
}
