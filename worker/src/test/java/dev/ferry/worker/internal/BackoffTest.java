package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void shouldDoubleFromTheBaseWhenAttemptsFail() {
        Backoff backoff = new Backoff(1000, 60_000);

        assertThat(backoff.delayAfter(1)).isEqualTo(1000);
        assertThat(backoff.delayAfter(2)).isEqualTo(2000);
        assertThat(backoff.delayAfter(3)).isEqualTo(4000);
        assertThat(backoff.delayAfter(6)).isEqualTo(32_000);
    }

    @Test
    void shouldStopAtTheCapWhenDoublingWouldPassIt() {
        Backoff backoff = new Backoff(1000, 60_000);

        assertThat(backoff.delayAfter(7)).isEqualTo(60_000);
        assertThat(backoff.delayAfter(100)).isEqualTo(60_000);
    }

    @Test
    void shouldRefuseAttemptZeroWhenAskedForADelay() {
        assertThatThrownBy(() -> new Backoff(10, 20).delayAfter(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldListOneTierPerDistinctDelayWhenTiersAreDerived() {
        assertThat(RetryTiers.delays(new Backoff(100, 400))).containsExactly(100L, 200L, 400L);
        assertThat(RetryTiers.delays(new Backoff(1000, 60_000)))
                .containsExactly(1000L, 2000L, 4000L, 8000L, 16_000L, 32_000L, 60_000L);
        assertThat(RetryTiers.delays(new Backoff(0, 0))).containsExactly(0L);
    }

    @Property
    void shouldNeverShrinkNorPassTheCapWhenAttemptsGrow(@ForAll @LongRange(min = 0, max = 100_000) long base,
            @ForAll @LongRange(min = 0, max = 10_000_000) long max, @ForAll @IntRange(min = 1, max = 200) int attempt) {
        Backoff backoff = new Backoff(base, max);

        assertThat(backoff.delayAfter(attempt)).isLessThanOrEqualTo(max);
        assertThat(backoff.delayAfter(attempt + 1)).isGreaterThanOrEqualTo(backoff.delayAfter(attempt));
        assertThat(RetryTiers.delays(backoff)).contains(backoff.delayAfter(attempt));
    }
}
