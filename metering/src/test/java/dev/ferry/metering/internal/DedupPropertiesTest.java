package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.invocation.BilledTime;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * One driver serves every try, to keep the property fast: each try bills its own tenant, a day after the previous
 * try, so tries never share a window, an attempt key or a late result.
 */
class DedupPropertiesTest {

    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long WINDOW = 1_000;
    /** Shorter than the spread of the results, so shuffled input makes late results too. */
    private static final long GRACE = 500;
    private static final long DAY = Duration.ofDays(1).toMillis();

    private static Path stateDir;
    private static MeteringDriver driver;
    private static final AtomicInteger TRIES = new AtomicInteger();

    @BeforeContainer
    static void startDriver() throws IOException {
        stateDir = Files.createTempDirectory("metering-prop");
        driver = new MeteringDriver(Fixtures.config(WINDOW, GRACE, Map.of()), stateDir, Instant.ofEpochMilli(T0));
    }

    @AfterContainer
    static void stopDriver() {
        driver.close();
        try (Stream<Path> paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One distinct attempt, finishing within five windows of its try's start. */
    record Attempt(String id, int attempt, String function, InvocationStatus status, long offset, long micros,
            int memoryMb, ReasonCode reason) {
        InvocationResult result(String tenant, long base) {
            InvocationResult result = Fixtures.result(tenant + "-" + id, attempt, tenant, function, status,
                    base + offset, micros, memoryMb);
            result.setReasonCode(reason == null ? null : reason.code());
            return result;
        }

        /** The rule written out: what never ran (not reached a worker, or could not start) bills nothing. */
        boolean ran() {
            boolean reached = status != InvocationStatus.REJECTED && status != InvocationStatus.THROTTLED;
            boolean started = micros > 0 || reason == null || !BilledTime.NEVER_RAN.contains(reason);
            return reached && started;
        }

        long billedMillis() {
            return ran() ? Math.max(1, (micros + 999) / 1000) : 0;
        }

        long mbMillis() {
            return memoryMb * billedMillis();
        }
    }

    @Provide
    Arbitrary<List<Attempt>> attempts() {
        return attempt().list().ofMinSize(1).ofMaxSize(40).uniqueElements(a -> a.id() + "/" + a.attempt());
    }

    private static Arbitrary<Attempt> attempt() {
        return Combinators.combine(
                Arbitraries.strings().withChars("abcdef0123").ofLength(6),
                Arbitraries.integers().between(1, 3),
                Arbitraries.of("resize", "thumbnail"),
                Arbitraries.of(InvocationStatus.class),
                Arbitraries.longs().between(0, 5 * WINDOW - 1),
                Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 5_000_000)),
                Arbitraries.of(128, 256, 1024, 10240),
                Arbitraries.of(ReasonCode.class).injectNull(0.5)).as(Attempt::new);
    }

    @Property(tries = 50)
    void shouldBillEachDistinctAttemptOnceWhenResultsArriveInAnyOrderWithDuplicates(
            @ForAll("attempts") List<Attempt> attempts, @ForAll @IntRange(min = 0, max = 3) int maxCopies,
            @ForAll long seed) {
        int attemptNo = TRIES.incrementAndGet();
        String tenant = "t" + attemptNo;
        long base = T0 + attemptNo * DAY;
        Random random = new Random(seed);
        List<InvocationResult> stream = new ArrayList<>();
        for (Attempt a : attempts) {
            int copies = 1 + random.nextInt(maxCopies + 1);
            for (int i = 0; i < copies; i++) {
                stream.add(a.result(tenant, base));
            }
        }
        Collections.shuffle(stream, random);

        driver.pipeAll(stream);
        driver.pipe(Fixtures.ok(tenant + "-end", "zz-clock", "tick", base + 10 * WINDOW + GRACE, 1, 128));
        List<UsageRecord> usage = driver.usage().stream().map(kv -> kv.value)
                .filter(u -> u.getTenant().equals(tenant)).toList();

        long ran = attempts.stream().filter(Attempt::ran).count();
        assertThat(usage.stream().mapToLong(UsageRecord::getInvocations).sum()).isEqualTo(ran);
        assertThat(usage.stream().mapToLong(UsageRecord::getMbMillis).sum())
                .isEqualTo(attempts.stream().mapToLong(Attempt::mbMillis).sum());
        assertThat(usage.stream().mapToLong(UsageRecord::getBilledMillis).sum())
                .isEqualTo(attempts.stream().mapToLong(Attempt::billedMillis).sum());
    }
}
