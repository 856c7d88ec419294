package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FinalityTest {

    private static boolean isFinal(InvocationStatus status, int attempt, int maxAttempts) {
        return Finality.isFinal(ResultStoreTest.result("a", "acme", attempt, status, Instant.now()), maxAttempts);
    }

    @Test
    void shouldWaitForTheRetryWhenAFailureHasAttemptsLeft() {
        assertThat(isFinal(InvocationStatus.FAILED, 1, 3)).isFalse();
        assertThat(isFinal(InvocationStatus.TIMED_OUT, 2, 3)).isFalse();
        assertThat(isFinal(InvocationStatus.FAILED, 3, 3)).isTrue();
        assertThat(isFinal(InvocationStatus.TIMED_OUT, 1, 1)).isTrue();
    }

    @Test
    void shouldTakeEveryOtherStatusAsFinalWhateverTheAttempt() {
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
