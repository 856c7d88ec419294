package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class DedupPropertiesTest {

    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long WINDOW = 1_000;
    /** Shorter than the spread of the results, so shuffled input makes late results too. */
    private static final long GRACE = 500;

    /** One distinct attempt; finishedAt within a few windows so several windows and functions are in play. */
    record Attempt(String id, int attempt, String function, InvocationStatus status, long offset, long micros,
            int memoryMb) {
        InvocationResult result() {
            return Fixtures.result(id, attempt, "acme", function, status, T0 + offset, micros, memoryMb);
        }

        long mbMillis() {
            return Billing.ran(status) ? (long) memoryMb * Billing.billedMillis(micros) : 0;
        }
    }

    @Provide
    Arbitrary<List<Attempt>> attempts() {
        return attempt().list().ofMinSize(1).ofMaxSize(25).uniqueElements(a -> a.id() + "/" + a.attempt());
    }

    private static Arbitrary<Attempt> attempt() {
        return Combinators.combine(
                Arbitraries.strings().withChars("abcdef0123").ofLength(6),
                Arbitraries.integers().between(1, 3),
                Arbitraries.of("resize", "thumbnail"),
                Arbitraries.of(InvocationStatus.class),
                Arbitraries.longs().between(0, 5 * WINDOW - 1),
                Arbitraries.longs().between(0, 5_000_000),
                Arbitraries.of(128, 256, 1024, 10240)).as(Attempt::new);
    }

    @Property(tries = 15)
    void shouldBillEachDistinctAttemptOnceWhenResultsArriveInAnyOrderWithDuplicates(
            @ForAll("attempts") List<Attempt> attempts,
            @ForAll @IntRange(min = 0, max = 3) int maxCopies, @ForAll long seed) throws IOException {
        Random random = new Random(seed);
        List<InvocationResult> stream = new ArrayList<>();
        for (Attempt a : attempts) {
            int copies = 1 + random.nextInt(maxCopies + 1);
            for (int i = 0; i < copies; i++) {
                stream.add(a.result());
            }
        }
        Collections.shuffle(stream, random);

        Path dir = Files.createTempDirectory("metering-prop");
        List<UsageRecord> usage;
        try (MeteringDriver driver = new MeteringDriver(Fixtures.config(WINDOW, GRACE, Map.of()), dir,
                Instant.ofEpochMilli(T0))) {
            driver.pipeAll(stream);
            driver.pipe(Fixtures.ok("end", "zz-clock", "tick", T0 + 10 * WINDOW + GRACE, 1, 128));
            usage = driver.usage().stream().map(kv -> kv.value).filter(u -> u.getTenant().equals("acme")).toList();
        } finally {
            delete(dir);
        }

        long ran = attempts.stream().filter(a -> Billing.ran(a.status())).count();
        assertThat(usage.stream().mapToLong(UsageRecord::getInvocations).sum()).isEqualTo(ran);
        assertThat(usage.stream().mapToLong(UsageRecord::getMbMillis).sum())
                .isEqualTo(attempts.stream().mapToLong(Attempt::mbMillis).sum());
        assertThat(usage.stream().mapToLong(UsageRecord::getBilledMillis).sum())
                .isEqualTo(attempts.stream().filter(a -> Billing.ran(a.status()))
                        .mapToLong(a -> Billing.billedMillis(a.micros())).sum());
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
