package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The run times the throughput model reads from results (issue 17). */
class FunctionStatsTest {

    private static final FunctionRef SLEEP = new FunctionRef("acme", "sleep");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicLong now = new AtomicLong(T0.toEpochMilli());
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final FunctionStats stats = new FunctionStats(new SimpleMeterRegistry(), clock);

    private static InvocationResult result(InvocationStatus status, long durationMicros) {
        return InvocationResult.newBuilder().setInvocationId("i").setTenant("acme").setFunction("sleep")
                .setAttempt(1).setStatus(status).setMemoryMb(128).setSubmittedAt(T0).setStartedAt(T0)
                .setFinishedAt(T0).setDurationMicros(durationMicros).build();
    }

    @Test
    void shouldMeasureMeanAndP95RunTimeOfOnlyTheAttemptsThatRanWhenSomeWereRejected() {
        for (int ms = 1; ms <= 20; ms++) {
            stats.record(result(InvocationStatus.SUCCEEDED, ms * 1000L));
        }
        for (int i = 0; i < 5; i++) {
            stats.record(result(InvocationStatus.REJECTED, 0));
        }

        FunctionStats.RunTimes runs = stats.runTimes(SLEEP);

        assertThat(runs.ran()).isEqualTo(20);
        assertThat(runs.meanRunMicros()).isCloseTo(10_500, within(0.001));
        assertThat(runs.p95RunMicros()).isEqualTo(19_000);
        assertThat(runs.servicePerSecond()).as("20 that ran within the 10 s rate window").isCloseTo(2.0, within(1e-9));
    }

    @Test
    void shouldCountTheInvocationsThisGatewayAdmittedPerSecondWhenMeasuringArrivals() {
        for (int i = 0; i < 50; i++) {
            stats.admitted(SLEEP);
        }
        assertThat(stats.arrivalPerSecond(SLEEP)).as("50 in the 10 s window").isCloseTo(5.0, within(1e-9));
        assertThat(stats.arrivalPerSecond(new FunctionRef("acme", "other"))).isZero();

        now.addAndGet(FunctionStats.RATE_WINDOW.toMillis() + 1);

        assertThat(stats.arrivalPerSecond(SLEEP)).isZero();
    }

    @Test
    void shouldForgetRunTimesWhenTheyAreOlderThanTheWindow() {
        stats.record(result(InvocationStatus.SUCCEEDED, 100_000));
        now.addAndGet(FunctionStats.RATE_WINDOW.toMillis() + 1);
        assertThat(stats.runTimes(SLEEP).servicePerSecond()).as("out of the rate window").isZero();
        assertThat(stats.runTimes(SLEEP).ran()).as("still in the 60 s window").isEqualTo(1);

        now.addAndGet(FunctionStats.WINDOW.toMillis());

        assertThat(stats.runTimes(SLEEP)).isEqualTo(new FunctionStats.RunTimes(0, 0, 0, 0));
        assertThat(stats.runTimes(new FunctionRef("acme", "other")).ran()).isZero();
    }
}
