package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SharePollTimeoutTest {

    private static final long T0 = 1_000_000_000L;

    @Test
    void aReplicaThatHasRunNothingPollsForTheIdleTimeout() {
        assertThat(new SharePollTimeout().next(T0)).isEqualTo(SharePollTimeout.IDLE);
    }

    @Test
    void rightAfterABatchEachPollIsShortSoAMarkerOnlyFetchCannotHoldTheNextRecordBack() {
        SharePollTimeout timeout = new SharePollTimeout();
        timeout.batchEnded(T0, true);

        assertThat(timeout.next(T0)).isEqualTo(SharePollTimeout.AFTER_BATCH);
        assertThat(timeout.next(T0 + SharePollTimeout.AFTER_BATCH_WINDOW.toNanos() - 1))
                .isEqualTo(SharePollTimeout.AFTER_BATCH);
        assertThat(SharePollTimeout.AFTER_BATCH).isLessThan(SharePollTimeout.IDLE);
    }

    @Test
    void onceTheWindowAfterTheLastBatchHasPassedTheReplicaPollsForTheIdleTimeoutAgain() {
        SharePollTimeout timeout = new SharePollTimeout();
        timeout.batchEnded(T0, true);

        assertThat(timeout.next(T0 + SharePollTimeout.AFTER_BATCH_WINDOW.toNanos())).isEqualTo(SharePollTimeout.IDLE);

        timeout.batchEnded(T0 + Duration.ofSeconds(5).toNanos(), true);
        assertThat(timeout.next(T0 + Duration.ofSeconds(5).toNanos() + 1)).isEqualTo(SharePollTimeout.AFTER_BATCH);
    }

    @Test
    void afterABatchLargerThanConcurrencyPollsAreNeverShortSoNoFetchIsLeftOutWhileAPollGivesUp() {
        SharePollTimeout timeout = new SharePollTimeout();
        timeout.batchEnded(T0, false);

        assertThat(timeout.next(T0)).isEqualTo(SharePollTimeout.IDLE);
    }
}
