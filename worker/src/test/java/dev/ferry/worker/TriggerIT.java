package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
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
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerState;
import dev.ferry.schemas.TriggerStatus;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Triggers end to end on a real broker (issue 14 part 2; DESIGN "Triggers"): a PARTITION trigger writes exactly one
 * output per source record in source order with its ferry.source.* headers, a filter skips records without running
 * them, an undecodable record goes to onFailure while the rest flow, and bisectOnError isolates a poison record.
 */
@FerryKafkaTest
@Timeout(240)
class TriggerIT {

    static FunctionSpec enrich(String tenant, String name, int concurrency, int maxAttempts) {
        return FunctionSpecs.builder(tenant, name, Runtime.JAVA, EnrichFunction.class.getName())
                .setConcurrency(concurrency).setMaxAttempts(maxAttempts).setTimeoutMs(10_000).build();
    }

    static List<String> keys(int n, int distinct) {
        return IntStream.range(0, n).mapToObj(i -> "k" + (i % distinct)).toList();
    }

    static List<String> values(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"n\":" + i + "}").toList();
    }

    @Test
    void shouldWriteEachOutputOnceInSourceOrderWhenAPartitionTriggerRuns(KafkaFixture kafka) throws Exception {
        int count = 10_000;
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("orders", 6);
            // The user's topic names its codec: the replica writes none, not the platform's gzip (issue 16).
            String destination = kit.topic("enriched", 3, Map.of("compression.type", "uncompressed"));
            kit.produce(source, keys(count, 60), values(count));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "happy", "enrich", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich", 6, 3), context, 1)) {
                await().atMost(Duration.ofSeconds(150)).until(() -> outputs.size() >= count
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats().answered()).isEqualTo(count);
                assertThat(pool.stats().read()).isEqualTo(count);
            }

            assertOncePerRecordInOrder(outputs, source, count);
            assertThat(outputs).allSatisfy(out -> {
                assertThat(TriggerKit.value(out)).contains("\"enriched\":true");
                assertThat(TriggerKit.header(out, TriggerRecords.CONTENT_TYPE)).isEqualTo("application/json");
                assertThat(TriggerKit.header(out, TriggerRecords.INVOCATION_ID)).isNotBlank();
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> ofFunction(results, "enrich").size() >= count);
            List<InvocationResult> mine = ofFunction(results, "enrich");
            assertThat(mine).hasSize(count).allSatisfy(r -> {
                assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
                assertThat(r.getFinal$()).isTrue();
                assertThat(r.getWorker()).isEqualTo(context.workerName() + "#happy#0");
                // The output is on the destination, keyed to this id by ferry.invocation.id: not written twice.
                assertThat(r.getOutput()).isNull();
            });
            assertThat(mine.stream().map(InvocationResult::getInvocationId).distinct()).hasSize(count);
        }
    }

    @Test
    void shouldGiveTheRecordsOfAReCreatedTopicInvocationIdsOfTheirOwn(KafkaFixture kafka) throws Exception {
        // Tester 12A, finding 3: ids derived from coordinates alone repeated the old topic's, and metering's dedup
        // dropped the new runs as already billed.
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("bill", 1);
            String destination = kit.topic("billed", 1);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "bill", "enrich-r", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-r", 1, 3), context, 1)) {
                kit.produce(source, keys(2, 1), values(2));
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 2);
                String old = kit.invocationId(spec, source, 0, 0L, 1);
                kafka.admin().deleteTopics(List.of(source)).all().get(30, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                    kit.topic("bill", 1);
                    return !kit.invocationId(spec, source, 0, 0L, 1).equals(old);
                });
                kit.produce(source, keys(1, 1), values(1));
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 3);
            }
            List<String> ids = outputs.stream().map(out -> TriggerKit.header(out, TriggerRecords.INVOCATION_ID))
                    .toList();
            assertThat(outputs.stream().map(TriggerKit::source)).containsExactly(source + "-0@0", source + "-0@1",
                    source + "-0@0");
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(ids.get(2)).isEqualTo(kit.invocationId(spec, source, 0, 0L, 1));
            await().atMost(Duration.ofSeconds(20)).until(() -> ofFunction(results, "enrich-r").size() >= 3);
            assertThat(ofFunction(results, "enrich-r").stream().map(InvocationResult::getInvocationId).distinct())
                    .hasSize(3);
        }
    }

    @Test
    void shouldSkipFilteredRecordsAndDeadLetterUndecodableOnesWhileTheRestFlow(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("payments", 2);
            String destination = kit.topic("paid", 1);
            String failures = kit.topic("payments-failed", 1);
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                values.add("{\"n\":" + i + ",\"status\":\"" + (i % 2 == 0 ? "paid" : "open") + "\"}");
            }
            values.add("this is not json");
            kit.produce(source, keys(values.size(), 1), values);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "filtered", "enrich-f", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setFilter("{\"value\": {\"status\": [\"paid\"]}}").setDestination(destination)
                    .setOnFailure(failures).build();
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-f", 1, 3), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 100 && failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(201, 100, 100, 1));
            }
            assertThat(outputs).hasSize(100).allSatisfy(out -> assertThat(TriggerKit.value(out))
                    .contains("\"status\":\"paid\"", "\"enriched\":true"));
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(TriggerKit.value(letter)).isEqualTo("this is not json");
                assertThat(TriggerKit.source(letter)).matches(java.util.regex.Pattern.quote(source) + "-[01]@200");
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(TriggerRecords.UNDECODABLE);
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE)).contains("@200");
                assertThat(TriggerKit.header(letter, DeadLetters.ORIGINAL_OFFSET)).isEqualTo("200");
                // Never run, so no result says whose it is: the letter names its trigger.
                assertThat(TriggerKit.header(letter, DeadLetters.ATTEMPT)).isEqualTo("0");
                assertThat(TriggerKit.header(letter, TriggerRecords.TRIGGER)).isEqualTo("acme/filtered");
            });
            // Filtered records were never invoked: exactly one result per paid record, none for the others.
            assertThat(ofFunction(results, "enrich-f")).hasSize(100);
        }
    }

    @Test
    void shouldSendAnAvroRecordNestedDeeperThanTheStackToOnFailureAndAnswerTheNext(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("nodes", 1);
            String destination = kit.topic("nodes-out", 1);
            String failures = kit.topic("nodes-failed", 1);
            // Tester 11A, finding 4: a recursive schema, one record 100,000 levels deep (two bytes a level, written
            // by hand: Avro's encoder recurses too) and a normal one; the deep one's StackOverflowError ended the
            // replica for good while the trigger said RUNNING.
            Schema node = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"namespace\":"
                    + "\"tester\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"next\","
                    + "\"type\":[\"null\",\"Node\"],\"default\":null}]}");
            int id = harness.serdes.registry().register(source + "-value", node);
            kit.produceBytes(source, List.of(nested(id, 100_000), nested(id, 2)));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "deep", "enrich-d", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.AVRO)
                    .setDestination(destination).setOnFailure(failures).build();
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-d", 1, 1), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 1 && failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
            }
            assertThat(outputs).singleElement().satisfies(out -> assertThat(TriggerKit.value(out))
                    .contains("\"id\":1", "\"enriched\":true"));
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(TriggerRecords.UNDECODABLE);
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE))
                        .contains("stack overflow while decoding");
                assertThat(TriggerKit.header(letter, DeadLetters.ORIGINAL_OFFSET)).isEqualTo("0");
            });
        }
    }

    /** A tester.Node record {@code depth} levels deep in the wire format: id 1 and branch 1 a level, then null. */
    private static byte[] nested(int schemaId, int depth) {
        byte[] bytes = new byte[5 + 2 * depth + 2];
        ByteBuffer.wrap(bytes).put((byte) 0).putInt(schemaId);
        Arrays.fill(bytes, 5, bytes.length - 1, (byte) 2); // zig-zag 1; the last byte stays 0: branch null
        return bytes;
    }

    @Test
    void shouldSendExactlyThePoisonRecordToOnFailureWhenABisectedBatchFails(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("batches", 1);
            String destination = kit.topic("batches-out", 1);
            String failures = kit.topic("batches-failed", 1);
            List<String> values = new ArrayList<>(values(100));
            values.set(37, "{\"n\":37,\"poison\":true}");
            kit.produce(source, keys(100, 7), values);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "bisect", "enrich-b", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setBatchSize(100).setBatchWindowMs(10_000).setBisectOnError(true)
                    .setDestination(destination).setOnFailure(failures).build();
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-b", 1, 2), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 99 && failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats().answered()).isEqualTo(99);
                assertThat(pool.stats().failed()).isEqualTo(1);
            }
            assertThat(outputs).hasSize(99);
            assertThat(outputs.stream().map(TriggerKit::source)).containsExactlyElementsOf(IntStream.range(0, 100)
                    .filter(i -> i != 37).mapToObj(i -> source + "-0@" + i).toList());
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(TriggerKit.source(letter)).isEqualTo(source + "-0@37");
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE)).contains("poison");
                // Every run of record 37: the batch of 100, halves of 50, 25, 13, 6 and 3, then alone twice.
                assertThat(TriggerKit.header(letter, DeadLetters.ATTEMPT)).isEqualTo("8");
                assertThat(TriggerKit.header(letter, TriggerRecords.TRIGGER)).isEqualTo("acme/bisect");
            });
            // The poison record alone: attempt 1 is not final, attempt 2 (maxAttempts) is, and says why.
            String alone = kit.invocationId(spec, source, 0, 37L, 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> results.of(alone).size() >= 2);
            assertThat(results.of(alone)).extracting(InvocationResult::getAttempt, InvocationResult::getFinal$,
                    InvocationResult::getReasonCode).containsExactly(tuple(1, false, null),
                    tuple(2, true, "attempts_exhausted"));
            assertThat(results.of(alone)).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.FAILED));
            // The whole batch's invocation is over, split rather than given up: its records are not failed yet.
            String whole = kit.invocationId(spec, source, 0, 0L, 100);
            await().atMost(Duration.ofSeconds(20)).until(() -> !results.of(whole).isEmpty());
            assertThat(results.of(whole)).extracting(InvocationResult::getFinal$, InvocationResult::getReasonCode)
                    .containsExactly(tuple(true, "bisected"));
        }
    }

    @Test
    void shouldStartAtTheFirstRecordAtOrAfterTheTimestampWhenStartingPositionIsTimestamp(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("timed", 2);
            String destination = kit.topic("timed-out", 1);
            kit.produce(source, keys(20, 4), values(20));
            long cut = System.currentTimeMillis() + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > cut);
            kit.produce(source, keys(10, 4), IntStream.range(100, 110).mapToObj(i -> "{\"n\":" + i + "}").toList());
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "timed", "enrich-t", List.of(source))
                    .setStartingPosition(StartingPosition.TIMESTAMP)
                    .setStartingTimestamp(java.time.Instant.ofEpochMilli(cut)).setFormat(RecordFormat.JSON)
                    .setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-t", 2, 3), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 10
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats().read()).isEqualTo(10);
            }
            assertThat(outputs).hasSize(10).allSatisfy(out -> assertThat(TriggerKit.value(out))
                    .matches("\\{\"n\":10\\d,.*"));
        }
    }

    @Test
    void shouldReportFailingWithTheErrorWhenTheDestinationIsMissingAndRunningOnceItExists(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka, Map.of("trigger.status.interval.ms", 200)); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("status-in", 1);
            String destination = TriggerKit.userTopic(harness, "status-out");
            kit.produce(source, keys(10, 1), values(10));
            TriggerSpec spec = TriggerSpecs.builder("acme", "watched", "enrich-w", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setDestination(destination).build();
            var deserializer = harness.serdes.deserializer(TriggerStatus.class);
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-w", 1, 3), context, 1)) {
                List<ConsumerRecord<byte[], byte[]>> statuses = kit.read(harness.topics.triggerStatus());
                String key = "acme/watched/" + context.workerName() + "#watched#0";
                await().atMost(Duration.ofSeconds(30)).until(() -> latest(statuses, key, deserializer) != null
                        && latest(statuses, key, deserializer).getState() == TriggerState.FAILING);
                assertThat(latest(statuses, key, deserializer).getError()).contains(destination, "do not exist");

                kit.topic("status-out", 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    TriggerStatus status = latest(statuses, key, deserializer);
                    // The lag is read once per report, so the report that first counts 10 answers may still
                    // carry the lag read before them.
                    return status != null && status.getState() == TriggerState.RUNNING && status.getAnswered() == 10
                            && status.getLag() == 0;
                });
                assertThat(latest(statuses, key, deserializer)).satisfies(status -> {
                    assertThat(status.getRead()).isEqualTo(10);
                    assertThat(status.getError()).isNull();
                    assertThat(status.getLag()).isZero();
                });
                pool.close();
                await().atMost(Duration.ofSeconds(30)).until(() -> statuses.stream()
                        .filter(r -> key.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)))
                        .reduce((a, b) -> b).map(r -> r.value() == null).orElse(false));
            }
        }
    }

    @Test
    void shouldReportFailingWhenItsRecentRecordsAllFail(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka, Map.of("trigger.status.interval.ms", 200));
                TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("doomed", 1);
            String failures = kit.topic("doomed-failed", 1);
            kit.produce(source, keys(12, 3), IntStream.range(0, 12)
                    .mapToObj(i -> "{\"n\":" + i + ",\"poison\":true}").toList());
            TriggerSpec spec = TriggerSpecs.builder("acme", "doomed", "enrich-d", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setOnFailure(failures).build();
            var deserializer = harness.serdes.deserializer(TriggerStatus.class);
            try (TriggerPool pool = new TriggerPool(spec, enrich("acme", "enrich-d", 1, 1), context, 1)) {
                List<ConsumerRecord<byte[], byte[]>> statuses = kit.read(harness.topics.triggerStatus());
                String key = "acme/doomed/" + context.workerName() + "#doomed#0";
                await().atMost(Duration.ofSeconds(30)).until(() -> latest(statuses, key, deserializer) != null
                        && latest(statuses, key, deserializer).getFailed() == 12);
                assertThat(latest(statuses, key, deserializer)).satisfies(status -> {
                    assertThat(status.getState()).isEqualTo(TriggerState.FAILING);
                    assertThat(status.getError()).contains("all failed", failures);
                });
            }
        }
    }

    @Test
    void shouldSendARecordWhoseOutputIsTooLargeToOnFailureAndKeepRunning(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka, Map.of("trigger.status.interval.ms", 200));
                TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("big", 1);
            String destination = kit.topic("big-out", 1); // broker defaults: max.message.bytes about 1 MiB
            String failures = kit.topic("big-failed", 1);
            kit.produce(source, keys(20, 4), values(20));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            var deserializer = harness.serdes.deserializer(TriggerStatus.class);
            FunctionSpec function = FunctionSpec.newBuilder(enrich("acme", "enrich-big", 1, 3))
                    .setEnv(Map.of("hugeN", "7")).build();
            TriggerSpec spec = TriggerSpecs.builder("acme", "big", "enrich-big", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setDestination(destination).setOnFailure(failures).build();
            String key = "acme/big/" + context.workerName() + "#big#0";
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                List<ConsumerRecord<byte[], byte[]>> statuses = kit.read(harness.topics.triggerStatus());
                await().atMost(Duration.ofSeconds(120)).until(() -> outputs.size() >= 19 && failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(20, 0, 19, 1));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    TriggerStatus status = latest(statuses, key, deserializer);
                    assertThat(status).isNotNull();
                    assertThat(status.getFailed()).isEqualTo(1);
                    assertThat(status.getState()).isEqualTo(TriggerState.RUNNING);
                });
            }
            assertThat(outputs).hasSize(19).noneMatch(out -> TriggerKit.value(out).contains("\"n\":7,"));
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(TriggerKit.value(letter)).isEqualTo("{\"n\":7}");
                assertThat(TriggerKit.source(letter)).isEqualTo(source + "-0@7");
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_CLASS))
                        .isEqualTo(TriggerRecords.OUTPUT_TOO_LARGE);
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE))
                        .contains("over the limit of", destination);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> ofFunction(results, "enrich-big").size() >= 20);
            List<InvocationResult> big = ofFunction(results, "enrich-big").stream()
                    .filter(r -> r.getStatus() != InvocationStatus.SUCCEEDED).toList();
            assertThat(big).singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(InvocationStatus.FAILED);
                assertThat(r.getReasonCode()).isEqualTo("output_too_large");
                assertThat(r.getAttempt()).isEqualTo(1);
                assertThat(r.getFinal$()).isTrue();
                assertThat(r.getDurationMicros()).isPositive();
            });
            assertThat(ofFunction(results, "enrich-big")).hasSize(20);
        }
    }

    static TriggerStatus latest(List<ConsumerRecord<byte[], byte[]>> statuses, String key,
            org.apache.kafka.common.serialization.Deserializer<TriggerStatus> deserializer) {
        return statuses.stream()
                .filter(r -> key.equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)))
                .filter(r -> r.value() != null)
                .reduce((a, b) -> b)
                .map(r -> deserializer.deserialize(r.topic(), r.headers(), r.value()))
                .orElse(null);
    }

    static List<InvocationResult> ofFunction(Harness.Results results, String function) {
        return results.all().stream().filter(r -> r.getFunction().equals(function)).toList();
    }

    /**
     * Exactly one output per source record, none missing, and within each destination partition the outputs of one
     * source partition in increasing source offset.
     */
    static void assertOncePerRecordInOrder(List<ConsumerRecord<byte[], byte[]>> outputs, String source, int count) {
        List<String> sources = outputs.stream().map(TriggerKit::source).toList();
        assertThat(sources).doesNotHaveDuplicates().hasSize(count);
        assertThat(sources).allSatisfy(s -> assertThat(s).startsWith(source + "-"));
        Map<String, Long> last = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> out : outputs) {
            String lane = out.partition() + "/" + TriggerKit.header(out, TriggerRecords.SOURCE_PARTITION);
            long offset = Long.parseLong(TriggerKit.header(out, TriggerRecords.SOURCE_OFFSET));
            assertThat(offset).as("source order within %s", lane).isGreaterThan(last.getOrDefault(lane, -1L));
            last.put(lane, offset);
        }
        Map<String, Long> perPartition = sources.stream().collect(Collectors.groupingBy(
                s -> s.substring(0, s.indexOf('@')), Collectors.counting()));
        assertThat(perPartition.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(count);
    }
}
