package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000);

    @Test
    void shouldAllowTheBurstThenRefuseWhenEmpty() {
        TokenBucket bucket = new TokenBucket(1, 3, now::get);

        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void shouldKeepWhatWasEarnedUpToTheNewSizeAndHandOutNothingAtOnceWhenResized() {
        TokenBucket bucket = new TokenBucket(10, 10, now::get);
        for (int i = 0; i < 6; i++) {
            assertThat(bucket.tryTake()).isZero();
        }
        bucket.resize(2, 2.5); // 4 tokens left, clamped to 2.5
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).as("half a token, refilled at 2/s").isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));

        bucket.resize(100, 200); // a larger share fills at its rate, not at once
        assertThat(bucket.tryTake()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(bucket.tryTake()).isZero();
    }

    @Test
    void shouldRefillAtTheRateWhenTimePasses() {
        TokenBucket bucket = new TokenBucket(10, 1, now::get);
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isPositive();

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));

        assertThat(bucket.tryTake()).isZero();
    }

    @Test
    void shouldNotSaveMoreThanTheBurstWhenIdleForLong() {
        TokenBucket bucket = new TokenBucket(100, 2, now::get);
        now.addAndGet(TimeUnit.HOURS.toNanos(1));

        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isPositive();
    }

    @Property
    void shouldNeverAdmitMoreThanBurstPlusRateTimesElapsed(@ForAll @IntRange(min = 1, max = 50) int rate,
            @ForAll @IntRange(min = 1, max = 50) int burst, @ForAll @IntRange(min = 0, max = 5_000) int elapsedMs) {
        TokenBucket bucket = new TokenBucket(rate, burst, now::get);
        int admitted = 0;
        for (int step = 0; step <= elapsedMs; step += 10) {
            while (bucket.tryTake() == 0) {
                admitted++;
            }
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
        }
        double stepsMs = (elapsedMs / 10) * 10;
        assertThat(admitted).isLessThanOrEqualTo(burst + (int) Math.floor(rate * (stepsMs / 1000.0)) + 1);
        assertThat(admitted).isGreaterThanOrEqualTo(burst);
    }
}
