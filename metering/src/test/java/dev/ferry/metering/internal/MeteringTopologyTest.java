package dev.ferry.metering.internal;

import static dev.ferry.metering.internal.Fixtures.ok;
import static dev.ferry.metering.internal.Fixtures.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeteringTopologyTest {

    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;

    @TempDir
    Path stateDir;

    private MeteringDriver driver;

    private MeteringDriver driver(Map<String, Object> more) {
        driver = new MeteringDriver(Fixtures.config(WINDOW, GRACE, more), stateDir, Instant.ofEpochMilli(T0));
        return driver;
    }

    private MeteringDriver driver() {
        return driver(Map.of());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** A result far enough ahead to move stream time past the first window's grace period. */
    private static dev.ferry.schemas.InvocationResult tick(long at) {
        return ok("tick-" + at, "other", "clock", at, 1000, 128);
    }

    @Test
    void shouldBillCeilingOfMillisTimesMemoryWhenWindowClosesByStreamTime() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_500, 128));   // 2 ms
        d.pipe(ok("b", "acme", "resize", T0 + 200, 1_000, 256));   // 1 ms
        d.pipe(ok("c", "acme", "resize", T0 + 300, 0, 512));       // at least 1 ms
        d.pipe(ok("d", "acme", "resize", T0 + 400, 999_001, 1024)); // 1000 ms
        assertThat(d.usage()).isEmpty();

        d.pipe(tick(T0 + WINDOW + GRACE));

        List<KeyValue<String, UsageRecord>> out = d.usage();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).key).isEqualTo("acme/resize/" + T0);
        UsageRecord usage = out.get(0).value;
        assertThat(usage.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(usage.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + WINDOW));
        assertThat(usage.getInvocations()).isEqualTo(4);
        assertThat(usage.getFailures()).isZero();
        assertThat(usage.getBilledMillis()).isEqualTo(2 + 1 + 1 + 1000);
        assertThat(usage.getMbMillis()).isEqualTo(128 * 2 + 256 + 512 + 1024 * 1000);
        assertThat(usage.getAvailability()).isEqualTo(1.0);
    }

    @Test
    void shouldNotCloseWindowWhenStreamTimeIsStillWithinGrace() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.pipe(tick(T0 + WINDOW + GRACE - 1));
        assertThat(d.usage()).isEmpty();
        d.pipe(tick(T0 + WINDOW + GRACE));
        assertThat(d.usage()).extracting(kv -> kv.key).containsExactly("acme/resize/" + T0);
    }

    @Test
    void shouldBillDuplicateOnceWhenSameAttemptIsWrittenTwice() {
        MeteringDriver d = driver();
        var first = ok("a", "acme", "resize", T0 + 100, 5_000, 128);
        d.pipe(first);
        d.pipe(first);
        d.pipe(result("a", 2, "acme", "resize", InvocationStatus.SUCCEEDED, T0 + 900, 5_000, 128));
        d.pipe(first);
        d.pipe(tick(T0 + WINDOW + GRACE));

        UsageRecord usage = d.usage().get(0).value;
        assertThat(usage.getInvocations()).isEqualTo(2);
        assertThat(usage.getMbMillis()).isEqualTo(2 * 5 * 128);
    }

    /** Issue 12: ids are chosen by clients on the Kafka path, so two tenants may use the same one. */
    @Test
    void shouldBillBothTenantsWhenTheirResultsShareInvocationIdAndAttempt() {
        MeteringDriver d = driver();
        d.pipe(ok("same-id", "acme", "resize", T0 + 100, 5_000, 128));
        d.pipe(ok("same-id", "globex", "resize", T0 + 200, 7_000, 256));
        d.pipe(ok("same-id", "acme", "thumbnail", T0 + 300, 2_000, 128));
        d.pipe(tick(T0 + WINDOW + GRACE));

        Map<String, UsageRecord> byKey = new java.util.HashMap<>();
        d.usage().forEach(kv -> byKey.put(kv.key, kv.value));
        assertThat(byKey.get("acme/resize/" + T0).getMbMillis()).isEqualTo(5 * 128);
        assertThat(byKey.get("globex/resize/" + T0).getMbMillis()).isEqualTo(7 * 256);
        assertThat(byKey.get("acme/thumbnail/" + T0).getMbMillis()).isEqualTo(2 * 128);
    }

    @Test
    void shouldBillDuplicateOnceWhenItArrivesAfterItsWindowClosed() {
        MeteringDriver d = driver();
        var first = ok("a", "acme", "resize", T0 + 100, 5_000, 128);
        d.pipe(first);
        d.pipe(tick(T0 + WINDOW + GRACE));
        d.pipe(first);
        d.pipe(tick(T0 + 3 * WINDOW + GRACE));

        List<KeyValue<String, UsageRecord>> acme = d.usage().stream().filter(kv -> kv.key.startsWith("acme/"))
                .toList();
        assertThat(acme).hasSize(1);
        assertThat(acme.get(0).value.getInvocations()).isEqualTo(1);
    }

    @Test
    void shouldNotBillOrCountRejectedAndThrottledResults() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 2_000, 128));
        d.pipe(result("b", 1, "acme", "resize", InvocationStatus.REJECTED, T0 + 200, 0, 128));
        d.pipe(result("c", 1, "acme", "resize", InvocationStatus.THROTTLED, T0 + 300, 0, 128));
        d.pipe(result("d", 1, "acme", "resize", InvocationStatus.FAILED, T0 + 400, 3_000, 128));
        d.pipe(result("e", 1, "acme", "resize", InvocationStatus.TIMED_OUT, T0 + 500, 4_000, 128));
        d.pipe(result("f", 1, "acme", "thumbnail", InvocationStatus.REJECTED, T0 + 600, 0, 128));
        d.pipe(tick(T0 + WINDOW + GRACE));

        List<KeyValue<String, UsageRecord>> acme = d.usage().stream().filter(kv -> kv.key.startsWith("acme/"))
                .toList();
        assertThat(acme).extracting(kv -> kv.key).containsExactly("acme/resize/" + T0);
        UsageRecord usage = acme.get(0).value;
        assertThat(usage.getInvocations()).isEqualTo(3);
        assertThat(usage.getFailures()).isEqualTo(2);
        assertThat(usage.getBilledMillis()).isEqualTo(2 + 3 + 4);
    }

    @Test
    void shouldNotBillOrCountAnAttemptWhenItsReasonSaysTheFunctionNeverStarted() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 2_000, 128));
        InvocationResult unavailable = result("b", 1, "acme", "resize", InvocationStatus.FAILED, T0 + 200, 0, 128);
        unavailable.setFinal$(true);
        unavailable.setReasonCode(ReasonCode.FUNCTION_UNAVAILABLE.code());
        d.pipe(unavailable);
        InvocationResult exhausted = result("c", 3, "acme", "resize", InvocationStatus.FAILED, T0 + 300, 1_500, 128);
        exhausted.setFinal$(true);
        exhausted.setReasonCode(ReasonCode.ATTEMPTS_EXHAUSTED.code());
        d.pipe(exhausted);
        d.pipe(tick(T0 + WINDOW + GRACE));

        UsageRecord usage = d.usage().stream().filter(kv -> kv.key.equals("acme/resize/" + T0)).findFirst()
                .orElseThrow().value;
        assertThat(usage.getInvocations()).as("the attempt given up after running is billed").isEqualTo(2);
        assertThat(usage.getFailures()).isEqualTo(1);
        assertThat(usage.getBilledMillis()).isEqualTo(2 + 2);
    }

    @Test
    void shouldBillOutOfOrderResultWhenItArrivesWithinGrace() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.pipe(ok("b", "acme", "resize", T0 + WINDOW + 100, 1_000, 128));   // next window
        d.pipe(ok("late", "acme", "resize", T0 + 50, 1_000, 128));          // back in the first, within grace
        d.pipe(tick(T0 + WINDOW + GRACE));

        List<KeyValue<String, UsageRecord>> out = d.usage();
        assertThat(out).extracting(kv -> kv.key).containsExactly("acme/resize/" + T0);
        assertThat(out.get(0).value.getInvocations()).isEqualTo(2);
    }

    @Test
    void shouldBillResultInTheOpenWindowWhenItArrivesPastGrace() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.pipe(tick(T0 + WINDOW + GRACE));
        d.pipe(ok("too-late", "acme", "resize", T0 + 200, 3_000, 128));
        d.pipe(tick(T0 + 5 * WINDOW));

        List<KeyValue<String, UsageRecord>> acme = d.usage().stream().filter(kv -> kv.key.startsWith("acme/"))
                .toList();
        // stream time was T0 + 15 s when it arrived: billed in the window [T0 + 10 s, T0 + 20 s), never twice
        assertThat(acme).extracting(kv -> kv.key)
                .containsExactly("acme/resize/" + T0, "acme/resize/" + (T0 + WINDOW));
        assertThat(acme).extracting(kv -> kv.value.getBilledMillis()).containsExactly(1L, 3L);
    }

    @Test
    void shouldCloseIdleWindowByWallClockWhenNoMoreResultsArrive() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.advanceWallClock(Duration.ofMillis(WINDOW + GRACE - 1_000));
        assertThat(d.usage()).isEmpty();

        d.advanceWallClock(Duration.ofMillis(2_000));

        List<KeyValue<String, UsageRecord>> out = d.usage();
        assertThat(out).extracting(kv -> kv.key).containsExactly("acme/resize/" + T0);
        assertThat(out.get(0).value.getInvocations()).isEqualTo(1);
    }

    @Test
    void shouldNotCloseByWallClockWhileResultsKeepArriving() {
        // A restarted instance catching up on a backlog: the wall clock is far ahead of the results it reads.
        MeteringDriver d = driver();
        d.advanceWallClock(Duration.ofMinutes(10));
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.advanceWallClock(Duration.ofMillis(500));
        d.pipe(ok("b", "acme", "resize", T0 + 200, 1_000, 128));
        d.advanceWallClock(Duration.ofMillis(500));
        d.pipe(ok("c", "acme", "resize", T0 + 300, 1_000, 128));
        assertThat(d.usage()).isEmpty();

        d.advanceWallClock(Duration.ofMillis(GRACE));

        List<KeyValue<String, UsageRecord>> out = d.usage();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value.getInvocations()).isEqualTo(3);
    }

    @Test
    void shouldBillResultInTheOpenWindowWhenItsWindowWasClosedByWallClock() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.advanceWallClock(Duration.ofMillis(WINDOW + GRACE + 1_000));
        assertThat(d.usage()).extracting(kv -> kv.key).containsExactly("acme/resize/" + T0);

        d.pipe(ok("b", "acme", "resize", T0 + 200, 1_000, 128));
        d.advanceWallClock(Duration.ofMillis(WINDOW + GRACE + 1_000));
        // closed by the wall clock at T0 + 16 s: the late result goes to [T0 + 10 s, T0 + 20 s)
        List<KeyValue<String, UsageRecord>> out = d.usage();
        assertThat(out).extracting(kv -> kv.key).containsExactly("acme/resize/" + (T0 + WINDOW));
        assertThat(out.get(0).value.getInvocations()).isEqualTo(1);
    }

    @Test
    void shouldEmitOneRecordPerFunctionAndWindow() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.pipe(ok("b", "acme", "thumbnail", T0 + 200, 1_000, 128));
        d.pipe(ok("c", "globex", "resize", T0 + 300, 1_000, 128));
        d.pipe(ok("d", "acme", "resize", T0 + WINDOW + 1, 1_000, 128));
        d.pipe(tick(T0 + 2 * WINDOW + GRACE));

        assertThat(d.usage()).extracting(kv -> kv.key).containsExactlyInAnyOrder(
                "acme/resize/" + T0, "acme/thumbnail/" + T0, "globex/resize/" + T0,
                "acme/resize/" + (T0 + WINDOW));
    }

    @Test
    void shouldPriceWithTenantPlanWhenTenantHasOne() {
        MeteringDriver d = driver(Map.of(
                MeteringConfig.PLANS, "pro:0.00001:0.0000001",
                MeteringConfig.TENANT_PLANS, "acme:pro"));
        // 1024 MB for 1000 ms = exactly 1 GB-s
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000_000, 1024));
        d.pipe(ok("b", "globex", "resize", T0 + 100, 1_000_000, 1024));
        d.pipe(tick(T0 + WINDOW + GRACE));

        Map<String, BigDecimal> cost = d.usage().stream()
                .collect(java.util.stream.Collectors.toMap(kv -> kv.key, kv -> kv.value.getCost()));
        assertThat(cost.get("acme/resize/" + T0)).isEqualTo(new BigDecimal("0.0000101000"));
        assertThat(cost.get("globex/resize/" + T0)).isEqualTo(new BigDecimal("0.0000168667"));
    }

    @Test
    void shouldComputeAvailabilityFromUpAndDownRuns() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0, 1_000, 128));
        d.pipe(result("b", 1, "acme", "resize", InvocationStatus.FAILED, T0 + 1_000, 1_000, 128));
        d.pipe(result("c", 1, "acme", "resize", InvocationStatus.TIMED_OUT, T0 + 2_000, 1_000, 128));
        d.pipe(ok("d", "acme", "resize", T0 + 3_000, 1_000, 128));
        d.pipe(tick(T0 + WINDOW + GRACE));

        UsageRecord usage = d.usage().stream().filter(kv -> kv.key.startsWith("acme/")).findFirst().orElseThrow()
                .value;
        // up [0, 1000) and [3000, 10000): MTBF 4000; down [1000, 3000): MTTR 2000
        assertThat(usage.getAvailability()).isEqualTo(4000.0 / 6000.0);
        assertThat(usage.getFailures()).isEqualTo(2);
    }

    @Test
    void shouldRollUpClosedWindowsIntoHoursAndDaysAndTotals() {
        MeteringDriver d = driver();
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.pipe(ok("b", "acme", "resize", T0 + WINDOW + 100, 2_000, 128));
        d.pipe(ok("c", "acme", "resize", T0 + 3_600_000 + 100, 3_000, 128));
        d.pipe(tick(T0 + 3_600_000 + WINDOW + GRACE));

        assertThat(d.usage().stream().filter(kv -> kv.key.startsWith("acme/"))).hasSize(3);
        try (WindowStoreIterator<WindowTotals> hours = d.windowStore(StoreNames.HOURS)
                .fetch("acme/resize", Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 3_600_000))) {
            List<KeyValue<Long, WindowTotals>> rows = new java.util.ArrayList<>();
            hours.forEachRemaining(rows::add);
            assertThat(rows).extracting(kv -> kv.key).containsExactly(T0, T0 + 3_600_000);
            assertThat(rows.get(0).value.billedMillis()).isEqualTo(3);
            assertThat(rows.get(0).value.invocations()).isEqualTo(2);
            assertThat(rows.get(1).value.billedMillis()).isEqualTo(3);
        }
        WindowTotals day = d.windowStore(StoreNames.DAYS).fetch("acme/resize", T0);
        assertThat(day.invocations()).isEqualTo(3);
        assertThat(day.windowStart()).isEqualTo(T0);
        assertThat(day.windowEnd()).isEqualTo(T0 + 86_400_000);
        assertThat(d.totals().get("acme/resize").mbMillis()).isEqualTo(6 * 128);
    }

    @Test
    void shouldKeepBillingWhenAResultCannotBeDecoded() {
        MeteringDriver d = driver();
        d.pipeRaw("broken", "not avro".getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(T0 + 50));
        d.pipe(ok("a", "acme", "resize", T0 + 100, 1_000, 128));
        d.pipe(tick(T0 + WINDOW + GRACE));

        assertThat(d.usage()).extracting(kv -> kv.key).containsExactly("acme/resize/" + T0);
    }
}
