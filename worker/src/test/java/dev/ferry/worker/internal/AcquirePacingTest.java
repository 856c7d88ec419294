package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AcquirePacingTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldAcquireConcurrencyUntilEnoughShortRunsWereSeen() {
        AcquirePacing pacing = new AcquirePacing(4, 8, 30_000);
        assertThat(pacing.acquireLimit()).isEqualTo(4);
        runs(pacing, 3, 1);
        assertThat(pacing.batchEnded(3_000)).as("3 runs of 4 needed").isFalse();
        runs(pacing, 1, 1);
        assertThat(pacing.batchEnded(3_000)).isTrue();
        assertThat(pacing.ahead()).isTrue();
        assertThat(pacing.acquireLimit()).isEqualTo(32);
    }

    @Test
    void shouldNotAcquireAheadWhenTheBatchCouldNotStartWithinAQuarterOfTheBudget() {
        AcquirePacing pacing = new AcquirePacing(4, 8, 30_000);
        runs(pacing, 4, 200); // 7 waves x 200 ms + 200 ms = 1.6 s > 3 s / 4
        assertThat(pacing.batchEnded(3_000)).isFalse();
        assertThat(pacing.acquireLimit()).isEqualTo(4);
    }

    @Test
    void shouldGoBackWhenRunsGrowPastHalfTheBudget() {
        AcquirePacing pacing = ahead();
        runs(pacing, 1, 400); // mean (1 + 400) / 2, so 7 x 200 + 400 ms = 1.8 s > 1.5 s
        assertThat(pacing.batchEnded(3_000)).isTrue();
        assertThat(pacing.ahead()).isFalse();
        assertThat(pacing.acquireLimit()).isEqualTo(4);
    }

    @Test
    void shouldStayAheadWhenOneRunIsLongButMostAreShort() {
        AcquirePacing pacing = ahead();
        runs(pacing, 31, 1);
        runs(pacing, 1, 500); // mean ~17 ms: 7 x 17 + 500 ms < 1.5 s
        assertThat(pacing.batchEnded(3_000)).isFalse();
        assertThat(pacing.ahead()).isTrue();
    }

    @Test
    void shouldGoBackAfterAReleaseAndWaitLongerBeforeAcquiringAheadAgain() {
        AcquirePacing pacing = ahead();
        runs(pacing, 4, 1);
        pacing.released();
        assertThat(pacing.batchEnded(3_000)).isTrue();
        assertThat(pacing.ahead()).isFalse();
        runs(pacing, 32, 1);
        assertThat(pacing.batchEnded(3_000)).as("one ahead batch's worth is not enough after a release").isFalse();
        runs(pacing, 7 * 32, 1);
        assertThat(pacing.batchEnded(3_000)).isTrue();
        assertThat(pacing.ahead()).isTrue();
    }

    @Test
    void shouldNeverAcquireAheadWithoutABudgetOrWithFactorOne() {
        AcquirePacing noBudget = new AcquirePacing(4, 8, 30_000);
        runs(noBudget, 100, 0);
        assertThat(noBudget.batchEnded(0)).isFalse();
        AcquirePacing factorOne = new AcquirePacing(4, 1, 30_000);
        runs(factorOne, 100, 0);
        assertThat(factorOne.batchEnded(3_000)).isFalse();
        assertThat(factorOne.acquireLimit()).isEqualTo(4);
    }

    @Test
    void shouldDeriveTheBudgetFromTheReportedLockAndCapRecordsPerPoll() {
        AcquirePacing pacing = new AcquirePacing(200, 8, 30_000);
        // timeout 30 s + write margin 3 s
        assertThat(pacing.startBudgetMs(Optional.of(36_000))).isEqualTo(3_000);
        assertThat(pacing.startBudgetMs(Optional.of(32_000))).isZero();
        assertThat(pacing.startBudgetMs(Optional.empty())).isZero();
        runs(pacing, 200, 0);
        assertThat(pacing.batchEnded(3_000)).isTrue();
        assertThat(pacing.acquireLimit()).isEqualTo(AcquirePacing.MAX_RECORDS);
    }

    @Test
    void shouldStartANewReplicaAheadWhenItsPoolsReplicasAcquireAhead() {
        AcquireMemory pool = new AcquireMemory();
        assertThat(new AcquirePacing(4, 8, 30_000, pool).acquireLimit()).as("nothing learned yet").isEqualTo(4);
        AcquirePacing first = new AcquirePacing(4, 8, 30_000, pool);
        runs(first, 4, 1);
        assertThat(first.batchEnded(3_000)).isTrue();

        AcquirePacing added = new AcquirePacing(4, 8, 30_000, pool);
        assertThat(added.ahead()).isTrue();
        assertThat(added.acquireLimit()).isEqualTo(32);
        runs(added, 32, 1);
        assertThat(added.batchEnded(3_000)).as("no new consumer for the mode it started in").isFalse();
    }

    @Test
    void shouldStartANewReplicaExactWhenItsPoolWentBackAndStillGoBackWhenRunsGrowLong() {
        AcquireMemory pool = new AcquireMemory();
        AcquirePacing first = new AcquirePacing(4, 8, 30_000, pool);
        runs(first, 4, 1);
        first.batchEnded(3_000);
        runs(first, 4, 1);
        first.released();
        assertThat(first.batchEnded(3_000)).isTrue();
        assertThat(new AcquirePacing(4, 8, 30_000, pool).acquireLimit()).isEqualTo(4);

        AcquireMemory fast = new AcquireMemory();
        AcquirePacing learner = new AcquirePacing(4, 8, 30_000, fast);
        runs(learner, 4, 1);
        learner.batchEnded(3_000);
        AcquirePacing added = new AcquirePacing(4, 8, 30_000, fast);
        runs(added, 1, 900); // what it learned was 1 ms runs; these need 7 x 450 + 900 ms > 1.5 s
        assertThat(added.batchEnded(3_000)).isTrue();
        assertThat(added.ahead()).isFalse();
        assertThat(new AcquirePacing(4, 1, 30_000, fast).acquireLimit()).as("factor 1 never acquires ahead")
                .isEqualTo(4);
    }

    private static AcquirePacing ahead() {
        AcquirePacing pacing = new AcquirePacing(4, 8, 30_000);
        runs(pacing, 4, 1);
        assertThat(pacing.batchEnded(3_000)).isTrue();
        return pacing;
    }

    private static void runs(AcquirePacing pacing, int count, long ms) {
        for (int i = 0; i < count; i++) {
            pacing.ran(ms * MS);
        }
    }
}
