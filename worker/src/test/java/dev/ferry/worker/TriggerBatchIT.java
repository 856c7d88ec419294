package dev.ferry.worker;

import static dev.ferry.worker.TriggerFixture.keys;
import static dev.ferry.worker.TriggerFixture.ofFunction;
import static dev.ferry.worker.TriggerFixture.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.TriggerFixture.Sink;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trigger features of DESIGN "Triggers" beyond the happy path, on a real broker: {@code batchItemFailures}
 * retries only the named records (alone, then onFailure at maxAttempts), {@code maxRecordAgeMs} sends old records
 * to onFailure without running them, a {@code LATEST} trigger ignores what was there before it, and a whole-batch
 * answer of a KEY trigger is one destination record per batch keyed by its first record's key.
 */
@FerryKafkaTest
@Timeout(240)
class TriggerBatchIT {

    static FunctionSpec shapes(String name, int maxAttempts) {
        return FunctionSpecs.builder("acme", name, Runtime.JAVA, ShapesFunction.class.getName())
                .setConcurrency(2).setMaxAttempts(maxAttempts).setTimeoutMs(10_000).build();
    }

    /**
     * Ten JSON records of one key to {@code source}, where record 3 fails every time it runs ({@code stubborn}) and
     * record 7 fails in a batch but not alone ({@code flaky}), and a spec over them of one batch of ten.
     */
    private static TriggerSpec.Builder itemsWithFailures(TriggerFixture f, String name, String function,
            String source, Sink outputs, Sink failed) {
        List<String> values = new ArrayList<>(values(10));
        values.set(3, "{\"n\":3,\"stubborn\":true}");
        values.set(7, "{\"n\":7,\"flaky\":true}");
        f.kit.produce(source, keys(10, 1), values);
        return f.specFromEarliest(name, function, source).setBatchSize(10).setBatchWindowMs(10_000)
                .setDestination(outputs.topic()).setOnFailure(failed.topic());
    }

    @Test
    void shouldRetryOnlyTheBatchItemFailuresAloneAndDeadLetterTheOnesThatKeepFailing(KafkaFixture kafka)
            throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            Harness.Results results = f.results();
            String source = f.topic("items", 1);
            Sink outputs = f.sink("items-out");
            Sink failed = f.sink("items-failed");
            TriggerSpec spec = itemsWithFailures(f, "items", "shapes-i", source, outputs, failed).build();
            try (TriggerPool pool = f.pool(spec, shapes("shapes-i", 3))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(90), () -> outputs.size() >= 1 && failed.size() >= 1);
                assertThat(pool.stats()).isEqualTo(new TriggerStats(10, 0, 9, 1));
            }
            // Record 7 retried alone answered; the other eight were answered by the batch, without output.
            assertThat(outputs).singleElement().satisfies(out -> {
                assertThat(TriggerKit.source(out)).isEqualTo(source + "-0@7");
                assertThat(TriggerKit.value(out)).contains("\"alone\":true");
            });
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(TriggerKit.source(letter)).isEqualTo(source + "-0@3");
                // Run four times: in the batch, then alone three times (maxAttempts 3).
                assertThat(TriggerKit.header(letter, DeadLetters.ATTEMPT)).isEqualTo("4");
                assertThat(TriggerKit.header(letter, TriggerRecords.TRIGGER)).isEqualTo("acme/items");
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE)).contains("stubborn");
            });
            String batch = f.kit.invocationId(spec, source, 0, 0L, 10);
            String three = f.kit.invocationId(spec, source, 0, 3L, 1);
            String seven = f.kit.invocationId(spec, source, 0, 7L, 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> results.of(three).size() >= 3);
            assertThat(results.of(batch)).singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
            assertThat(results.of(seven)).singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
            assertThat(results.of(three)).extracting(InvocationResult::getAttempt).containsExactly(1, 2, 3);
            assertThat(ofFunction(results, "shapes-i")).hasSize(5);
        }
    }

    @Test
    void shouldWriteTheOutputsOfTheRecordsABatchItemFailuresAnswerDidNotName(KafkaFixture kafka) throws Exception {
        // Tester 12A, finding 6: {"batchItemFailures": [...]} alone answers the other records without output, so
        // with a destination they were on neither topic; "outputs" beside it gives them theirs.
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("items-o", 1);
            Sink outputs = f.sink("items-o-out");
            Sink failed = f.sink("items-o-failed");
            TriggerSpec spec = itemsWithFailures(f, "items-o", "shapes-o", source, outputs, failed).build();
            FunctionSpec function = FunctionSpec.newBuilder(shapes("shapes-o", 2)).setEnv(Map.of("outputs", "1"))
                    .build();
            try (TriggerPool pool = f.pool(spec, function)) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(90), () -> outputs.size() >= 9 && failed.size() >= 1);
                assertThat(pool.stats()).isEqualTo(new TriggerStats(10, 0, 9, 1));
            }
            // Every source record ends exactly one way: nine outputs (eight from the batch, 7 retried alone), 3 failed.
            assertThat(outputs.stream().map(TriggerKit::source).sorted()).containsExactlyElementsOf(
                    IntStream.range(0, 10).filter(i -> i != 3).mapToObj(i -> source + "-0@" + i).sorted().toList());
            assertThat(outputs).filteredOn(out -> !TriggerKit.source(out).endsWith("@7"))
                    .allSatisfy(out -> assertThat(TriggerKit.value(out)).contains("\"batch\":true"));
            assertThat(outputs).filteredOn(out -> TriggerKit.source(out).endsWith("@7")).singleElement()
                    .satisfies(out -> assertThat(TriggerKit.value(out)).contains("\"alone\":true"));
            assertThat(failed).singleElement().satisfies(letter ->
                    assertThat(TriggerKit.source(letter)).isEqualTo(source + "-0@3"));
        }
    }

    @Test
    void shouldSendRecordsOlderThanMaxRecordAgeToOnFailureWithoutRunningThem(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            Harness.Results results = f.results();
            String source = f.topic("aged", 1);
            Sink outputs = f.sink("aged-out");
            Sink failed = f.sink("aged-failed");
            // Five records stamped an hour ago (the producer sets CreateTime), so no test has to wait for age.
            f.kit.produce(source, keys(5, 1), values(5), System.currentTimeMillis() - Duration.ofHours(1).toMillis());
            TriggerSpec spec = f.specFromEarliest("aged", "shapes-a", source)
                    .setMaxRecordAgeMs(Duration.ofMinutes(1).toMillis()).setDestination(outputs.topic())
                    .setOnFailure(failed.topic()).build();
            try (TriggerPool pool = f.pool(spec, shapes("shapes-a", 3))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> failed.size() >= 5);
                f.kit.produce(source, keys(3, 1), List.of("{\"n\":5}", "{\"n\":6}", "{\"n\":7}"));
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 3);
                assertThat(pool.stats()).isEqualTo(new TriggerStats(8, 0, 3, 5));
            }
            assertThat(failed).extracting(TriggerKit::source)
                    .containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(i -> source + "-0@" + i).toList());
            assertThat(failed).allSatisfy(letter -> {
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(TriggerRecords.TOO_OLD);
                assertThat(TriggerKit.header(letter, DeadLetters.ATTEMPT)).isEqualTo("0");
                assertThat(TriggerKit.header(letter, TriggerRecords.TRIGGER)).isEqualTo("acme/aged");
            });
            assertThat(outputs).extracting(TriggerKit::source)
                    .containsExactly(source + "-0@5", source + "-0@6", source + "-0@7");
            await().atMost(Duration.ofSeconds(20)).until(() -> ofFunction(results, "shapes-a").size() >= 3);
            // Only the fresh records ran: no result at all for the old ones.
            assertThat(ofFunction(results, "shapes-a")).hasSize(3)
                    .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
        }
    }

    @Test
    void shouldProcessOnlyRecordsProducedAfterTheStartWhenStartingPositionIsLatest(KafkaFixture kafka)
            throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka, Map.of("trigger.status.interval.ms", 200))) {
            Harness.Results results = f.results();
            String source = f.topic("latest", 1);
            Sink outputs = f.sink("latest-out");
            f.produce(source, 5, 1);
            TriggerSpec spec = f.spec("latest", "shapes-l", source).setStartingPosition(StartingPosition.LATEST)
                    .setDestination(outputs.topic()).build();
            String key = f.statusKey("latest");
            try (TriggerPool pool = f.pool(spec, shapes("shapes-l", 3))) {
                // A known lag of 0 means the replica has its position: the end, past the five old records.
                f.statuses().await(key, Duration.ofSeconds(90), status -> status.getLag() == 0);
                f.kit.produce(source, keys(3, 1), List.of("{\"n\":900}", "{\"n\":901}", "{\"n\":902}"));
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 3);
                assertThat(pool.stats()).isEqualTo(new TriggerStats(3, 0, 3, 0));
            }
            assertThat(outputs).extracting(TriggerKit::source)
                    .containsExactly(source + "-0@5", source + "-0@6", source + "-0@7");
            await().atMost(Duration.ofSeconds(20)).until(() -> ofFunction(results, "shapes-l").size() >= 3);
            assertThat(ofFunction(results, "shapes-l")).hasSize(3);
        }
    }

    @Test
    void shouldWriteOneRecordPerBatchKeyedByItsFirstRecordWhenAKeyTriggerAnswersForTheWholeBatch(
            KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("whole", 1);
            Sink outputs = f.sink("whole-out");
            f.produce(source, 10, 2);
            TriggerSpec spec = f.specFromEarliest("whole", "shapes-w", source).setOrdering(TriggerOrdering.KEY)
                    .setBatchSize(5).setBatchWindowMs(10_000).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, shapes("shapes-w", 3))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 2);
                assertThat(pool.stats()).isEqualTo(new TriggerStats(10, 0, 10, 0));
            }
            // Keys alternate k0, k1: each key's five records are one batch, answered by one record.
            assertThat(outputs).hasSize(2).extracting(o -> new String(o.key(), StandardCharsets.UTF_8),
                    TriggerKit::value, TriggerKit::source).containsExactlyInAnyOrder(
                    tuple("k0", "{\"count\":5,\"first\":0}", source + "-0@0"),
                    tuple("k1", "{\"count\":5,\"first\":1}", source + "-0@1"));
        }
    }
}
