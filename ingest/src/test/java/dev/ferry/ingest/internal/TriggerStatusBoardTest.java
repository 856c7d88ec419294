package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.TriggerState;
import dev.ferry.schemas.TriggerStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TriggerStatusBoardTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final TriggerRef ENRICH = new TriggerRef("acme", "enrich");

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final TriggerStatusBoard board = new TriggerStatusBoard(Duration.ofSeconds(5), clock);

    private static TriggerStatus status(String worker, Instant at, TriggerState state, long lag, long read,
            long filtered, long answered, long failed) {
        return TriggerStatus.newBuilder().setTenant("acme").setName("enrich").setWorker(worker).setAt(at)
                .setState(state).setError(state == TriggerState.FAILING ? "cannot read orders" : null).setLag(lag)
                .setRead(read).setFiltered(filtered).setAnswered(answered).setFailed(failed).build();
    }

    private void report(String worker, Instant at, TriggerState state, long lag, long read, long filtered,
            long answered, long failed) {
        board.record("acme/enrich/" + worker, status(worker, at, state, lag, read, filtered, answered, failed));
    }

    private TriggerStatusBoard.Summary summary() {
        return board.summary(ENRICH, "echo", true, true);
    }

    @Test
    void shouldBeRunningWithUnknownLagAndNoRatesWhenNoReplicaReportedYet() {
        TriggerStatusBoard.Summary s = summary();

        assertThat(s.state()).isEqualTo(TriggerState.RUNNING);
        assertThat(s.lag()).isNull();
        assertThat(s.rates()).isNull();
        assertThat(s.read()).isZero();
        assertThat(s.replicas()).isZero();
    }

    @Test
    void shouldSumTheFreshReplicasCountsAndLag() {
        report("w1#enrich#0", T0, TriggerState.RUNNING, 3, 100, 10, 80, 10);
        report("w1#enrich#1", T0, TriggerState.RUNNING, 4, 50, 5, 40, 5);
        board.record("acme/other/w1#other#0", TriggerStatus.newBuilder(status("w1#other#0", T0, TriggerState.RUNNING,
                99, 999, 0, 999, 0)).setName("other").build());

        TriggerStatusBoard.Summary s = summary();

        assertThat(s.lag()).isEqualTo(7);
        assertThat(s.read()).isEqualTo(150);
        assertThat(s.filtered()).isEqualTo(15);
        assertThat(s.answered()).isEqualTo(120);
        assertThat(s.failed()).isEqualTo(15);
        assertThat(s.replicas()).isEqualTo(2);
    }

    @Test
    void shouldIgnoreAReplicaWhenItsLastReportIsOlderThanThreeIntervals() {
        report("w1#enrich#0", T0, TriggerState.FAILING, 3, 100, 0, 100, 0);
        report("w2#enrich#0", T0.plusSeconds(10), TriggerState.RUNNING, 1, 5, 0, 5, 0);
        now.set(T0.plusSeconds(15));
        assertThat(summary().state()).isEqualTo(TriggerState.FAILING);

        now.set(T0.plusSeconds(15).plusMillis(1));

        TriggerStatusBoard.Summary s = summary();
        assertThat(s.state()).isEqualTo(TriggerState.RUNNING);
        assertThat(s.read()).isEqualTo(5);
        assertThat(s.lag()).isEqualTo(1);
        assertThat(s.replicas()).isEqualTo(1);
    }

    @Test
    void shouldForgetAReplicaWhenItsTombstoneArrives() {
        report("w1#enrich#0", T0, TriggerState.RUNNING, 3, 100, 0, 100, 0);
        report("w1#enrich#1", T0, TriggerState.RUNNING, 2, 7, 0, 7, 0);

        board.record("acme/enrich/w1#enrich#0", null);

        assertThat(summary().read()).isEqualTo(7);
        assertThat(summary().replicas()).isEqualTo(1);
    }

    @Test
    void shouldSayFailingWithTheReplicasErrorWhenAnyFreshReplicaFails() {
        report("w1#enrich#0", T0, TriggerState.RUNNING, 0, 1, 0, 1, 0);
        report("w1#enrich#1", T0, TriggerState.FAILING, -1, 0, 0, 0, 0);

        TriggerStatusBoard.Summary s = summary();

        assertThat(s.state()).isEqualTo(TriggerState.FAILING);
        assertThat(s.error()).isEqualTo("cannot read orders");
        assertThat(s.lag()).as("only the replica that knows its lag counts").isZero();
    }

    @Test
    void shouldSayPausedWhenDisabledWhateverTheReplicasSay() {
        report("w1#enrich#1", T0, TriggerState.FAILING, -1, 0, 0, 0, 0);

        assertThat(board.summary(ENRICH, "echo", false, true).state()).isEqualTo(TriggerState.PAUSED);
        assertThat(board.summary(ENRICH, "echo", false, true).error()).isNull();
    }

    @Test
    void shouldSayFailingWhenTheFunctionIsNotDeployed() {
        TriggerStatusBoard.Summary s = board.summary(ENRICH, "gone", true, false);

        assertThat(s.state()).isEqualTo(TriggerState.FAILING);
        assertThat(s.error()).contains("'gone'");
    }

    @Test
    void shouldGiveRatesPerSecondWhenAReplicaReportedTwice() {
        report("w1#enrich#0", T0, TriggerState.RUNNING, 10, 100, 10, 80, 10);
        report("w1#enrich#1", T0, TriggerState.RUNNING, 10, 0, 0, 0, 0);
        assertThat(summary().rates()).isNull();

        report("w1#enrich#0", T0.plusSeconds(5), TriggerState.RUNNING, 0, 150, 20, 120, 10);
        report("w1#enrich#1", T0.plusSeconds(2), TriggerState.RUNNING, 0, 20, 0, 20, 0);

        TriggerStatusBoard.Counts rates = summary().rates();
        assertThat(rates.read()).isCloseTo(10.0 + 10.0, within(1e-9));
        assertThat(rates.filtered()).isCloseTo(2.0, within(1e-9));
        assertThat(rates.answered()).isCloseTo(8.0 + 10.0, within(1e-9));
        assertThat(rates.failed()).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void shouldStartRatesOverWhenAReplicaRestartedAndItsCountsWentDown() {
        report("w1#enrich#0", T0, TriggerState.RUNNING, 0, 100, 0, 100, 0);
        report("w1#enrich#0", T0.plusSeconds(5), TriggerState.RUNNING, 0, 3, 0, 3, 0);

        assertThat(summary().rates()).isNull();
        assertThat(summary().read()).isEqualTo(3);
    }

    @Test
    void shouldRefuseAKeyThatIsNotTenantNameWorker() {
        assertThatThrownBy(() -> board.record("acme/enrich", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
