package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerStatus;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

    @Test
    void shouldRetryOnlyTheBatchItemFailuresAloneAndDeadLetterTheOnesThatKeepFailing(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("items", 1);
            String destination = kit.topic("items-out", 1);
            String failures = kit.topic("items-failed", 1);
            List<String> values = new ArrayList<>(TriggerIT.values(10));
            values.set(3, "{\"n\":3,\"stubborn\":true}");
            values.set(7, "{\"n\":7,\"flaky\":true}");
            kit.produce(source, TriggerIT.keys(10, 1), values);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "items", "shapes-i", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setBatchSize(10).setBatchWindowMs(10_000)
                    .setDestination(destination).setOnFailure(failures).build();
            try (TriggerPool pool = new TriggerPool(spec, shapes("shapes-i", 3), context, 1)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 1 && failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
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
            String batch = kit.invocationId(spec, source, 0, 0L, 10);
            String three = kit.invocationId(spec, source, 0, 3L, 1);
            String seven = kit.invocationId(spec, source, 0, 7L, 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> results.of(three).size() >= 3);
            assertThat(results.of(batch)).singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
            assertThat(results.of(seven)).singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
            assertThat(results.of(three)).extracting(InvocationResult::getAttempt).containsExactly(1, 2, 3);
            assertThat(TriggerIT.ofFunction(results, "shapes-i")).hasSize(5);
        }
    }

    @Test
    void shouldWriteTheOutputsOfTheRecordsABatchItemFailuresAnswerDidNotName(KafkaFixture kafka) throws Exception {
        // Tester 12A, finding 6: {"batchItemFailures": [...]} alone answers the other records without output, so
        // with a destination they were on neither topic; "outputs" beside it gives them theirs.
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("items-o", 1);
            String destination = kit.topic("items-o-out", 1);
            String failures = kit.topic("items-o-failed", 1);
            List<String> values = new ArrayList<>(TriggerIT.values(10));
            values.set(3, "{\"n\":3,\"stubborn\":true}");
            values.set(7, "{\"n\":7,\"flaky\":true}");
            kit.produce(source, TriggerIT.keys(10, 1), values);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "items-o", "shapes-o", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setBatchSize(10).setBatchWindowMs(10_000)
                    .setDestination(destination).setOnFailure(failures).build();
            FunctionSpec function = FunctionSpec.newBuilder(shapes("shapes-o", 2)).setEnv(Map.of("outputs", "1"))
                    .build();
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 9 && failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
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
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("aged", 1);
            String destination = kit.topic("aged-out", 1);
            String failures = kit.topic("aged-failed", 1);
            // Five records stamped an hour ago (the producer sets CreateTime), so no test has to wait for age.
            kit.produce(source, TriggerIT.keys(5, 1), TriggerIT.values(5),
                    System.currentTimeMillis() - Duration.ofHours(1).toMillis());
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "aged", "shapes-a", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setMaxRecordAgeMs(Duration.ofMinutes(1).toMillis()).setDestination(destination)
                    .setOnFailure(failures).build();
            try (TriggerPool pool = new TriggerPool(spec, shapes("shapes-a", 3), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> failed.size() >= 5);
                kit.produce(source, TriggerIT.keys(3, 1), List.of("{\"n\":5}", "{\"n\":6}", "{\"n\":7}"));
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 3
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
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
            await().atMost(Duration.ofSeconds(20)).until(() -> TriggerIT.ofFunction(results, "shapes-a").size() >= 3);
            // Only the fresh records ran: no result at all for the old ones.
            assertThat(TriggerIT.ofFunction(results, "shapes-a")).hasSize(3)
                    .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
        }
    }

    @Test
    void shouldProcessOnlyRecordsProducedAfterTheStartWhenStartingPositionIsLatest(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka, java.util.Map.of("trigger.status.interval.ms", 200));
                TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("latest", 1);
            String destination = kit.topic("latest-out", 1);
            kit.produce(source, TriggerIT.keys(5, 1), TriggerIT.values(5));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "latest", "shapes-l", List.of(source))
                    .setStartingPosition(StartingPosition.LATEST).setFormat(RecordFormat.JSON)
                    .setDestination(destination).build();
            var deserializer = harness.serdes.deserializer(TriggerStatus.class);
            String key = "acme/latest/" + context.workerName() + "#latest#0";
            try (TriggerPool pool = new TriggerPool(spec, shapes("shapes-l", 3), context, 1)) {
                List<ConsumerRecord<byte[], byte[]>> statuses = kit.read(harness.topics.triggerStatus());
                // A known lag of 0 means the replica has its position: the end, past the five old records.
                await().atMost(Duration.ofSeconds(90)).until(() -> TriggerIT.latest(statuses, key, deserializer) != null
                        && TriggerIT.latest(statuses, key, deserializer).getLag() == 0);
                kit.produce(source, TriggerIT.keys(3, 1), List.of("{\"n\":900}", "{\"n\":901}", "{\"n\":902}"));
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 3
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(3, 0, 3, 0));
            }
            assertThat(outputs).extracting(TriggerKit::source)
                    .containsExactly(source + "-0@5", source + "-0@6", source + "-0@7");
            await().atMost(Duration.ofSeconds(20)).until(() -> TriggerIT.ofFunction(results, "shapes-l").size() >= 3);
            assertThat(TriggerIT.ofFunction(results, "shapes-l")).hasSize(3);
        }
    }

    @Test
    void shouldWriteOneRecordPerBatchKeyedByItsFirstRecordWhenAKeyTriggerAnswersForTheWholeBatch(
            KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("whole", 1);
            String destination = kit.topic("whole-out", 1);
            kit.produce(source, TriggerIT.keys(10, 2), TriggerIT.values(10));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "whole", "shapes-w", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setOrdering(TriggerOrdering.KEY).setBatchSize(5).setBatchWindowMs(10_000)
                    .setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, shapes("shapes-w", 3), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 2
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(10, 0, 10, 0));
            }
            // Keys alternate k0, k1: each key's five records are one batch, answered by one record.
            assertThat(outputs).hasSize(2).extracting(o -> new String(o.key(), StandardCharsets.UTF_8),
                    TriggerKit::value, TriggerKit::source).containsExactlyInAnyOrder(
                    org.assertj.core.api.Assertions.tuple("k0", "{\"count\":5,\"first\":0}", source + "-0@0"),
                    org.assertj.core.api.Assertions.tuple("k1", "{\"count\":5,\"first\":1}", source + "-0@1"));
        }
    }
}
