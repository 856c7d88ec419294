package dev.ferry.worker;

import static dev.ferry.worker.TriggerFixture.enrich;
import static dev.ferry.worker.TriggerFixture.keys;
import static dev.ferry.worker.TriggerFixture.ofFunction;
import static dev.ferry.worker.TriggerFixture.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.DeadLetters;
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
import dev.ferry.worker.TriggerFixture.Sink;
import dev.ferry.worker.TriggerFixture.Statuses;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
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

    @Test
    void shouldWriteEachOutputOnceInSourceOrderWhenAPartitionTriggerRuns(KafkaFixture kafka) throws Exception {
        int count = 10_000;
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            Harness.Results results = f.results();
            String source = f.topic("orders", 6);
            // The user's topic names its codec: the replica writes none, not the platform's gzip (issue 16).
            Sink outputs = f.sink("enriched", 3, Map.of("compression.type", "uncompressed"));
            f.produce(source, count, 60);
            TriggerSpec spec = f.specFromEarliest("happy", "enrich", source).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich", 6, 3))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(150), () -> outputs.size() >= count);
                assertThat(pool.stats().answered()).isEqualTo(count);
                assertThat(pool.stats().read()).isEqualTo(count);
            }

            TriggerFixture.assertOncePerRecordInOrder(outputs, source, count);
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
                assertThat(r.getWorker()).isEqualTo(f.context.workerName() + "#happy#0");
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
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            Harness.Results results = f.results();
            String source = f.topic("bill", 1);
            Sink outputs = f.sink("billed");
            TriggerSpec spec = f.specFromEarliest("bill", "enrich-r", source).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-r", 1, 3))) {
                f.produce(source, 2, 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 2);
                String old = f.kit.invocationId(spec, source, 0, 0L, 1);
                f.deleteTopic(source);
                // Produced as soon as the topic is back, so the replica may meet the new topic at its old position
                // and commit its offsets within a few hundred ms, before its producer's metadata knows the new id:
                // the producer then retried the deleted id's TxnOffsetCommit until max.block.ms (a minute), and
                // the replica waited two (Kafka 4.4, KIP-1319; failed now and then under load).
                f.awaitRecreated("bill", 1);
                f.produce(source, 1, 1);
                assertThat(f.kit.invocationId(spec, source, 0, 0L, 1)).isNotEqualTo(old);
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 3);
            }
            List<String> ids = outputs.stream().map(out -> TriggerKit.header(out, TriggerRecords.INVOCATION_ID))
                    .toList();
            assertThat(outputs.stream().map(TriggerKit::source)).containsExactly(source + "-0@0", source + "-0@1",
                    source + "-0@0");
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(ids.get(2)).isEqualTo(f.kit.invocationId(spec, source, 0, 0L, 1));
            await().atMost(Duration.ofSeconds(20)).until(() -> ofFunction(results, "enrich-r").size() >= 3);
            assertThat(ofFunction(results, "enrich-r").stream().map(InvocationResult::getInvocationId).distinct())
                    .hasSize(3);
        }
    }

    @Test
    void shouldGiveABatchSizeOneFunctionItsRecordsHeadersWithoutLettingThemSpoofFerrys(KafkaFixture kafka)
            throws Exception {
        // Tester 14A, finding 3: at batchSize 1 the function got the ferry.source.* headers only, so neither the
        // producer's trace context nor the app's own headers reached it (at batchSize 2 they were in the document).
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("hdr-src", 1);
            Sink outputs = f.sink("hdr-out");
            f.produceWithHeaders(source, "k", "{\"n\":1}", List.of(
                    Map.entry("traceparent", traceparent.getBytes(StandardCharsets.UTF_8)),
                    Map.entry("tracestate", "k=v".getBytes(StandardCharsets.UTF_8)),
                    Map.entry("x-app", "1".getBytes(StandardCharsets.UTF_8)),
                    Map.entry("x-app", "2".getBytes(StandardCharsets.UTF_8)),
                    Map.entry("x-bin", new byte[] {(byte) 0xff, (byte) 0xfe}),
                    Map.entry(TriggerRecords.SOURCE_TOPIC, "spoofed".getBytes(StandardCharsets.UTF_8)),
                    Map.entry(TriggerRecords.INVOCATION_ID, "spoofed".getBytes(StandardCharsets.UTF_8)),
                    Map.entry("Ferry.Source.Tombstone", "true".getBytes(StandardCharsets.UTF_8))));
            TriggerSpec spec = f.specFromEarliest("hdrs", "hdrs", source).setDestination(outputs.topic()).build();
            FunctionSpec function = FunctionSpecs.builder("acme", "hdrs", Runtime.JAVA,
                    HeadersFunction.class.getName()).setTimeoutMs(10_000).build();
            try (TriggerPool pool = f.pool(spec, function)) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 1);
            }
            assertThat(outputs).singleElement().satisfies(out -> {
                JsonNode seen = new ObjectMapper().readTree(out.value());
                assertThat(seen.path("traceparent").asText()).isEqualTo(traceparent);
                assertThat(seen.path("tracestate").asText()).isEqualTo("k=v");
                assertThat(seen.path("x-app").asText()).as("the last of a repeated name").isEqualTo("2");
                assertThat(seen.path("x-bin").asText()).as("not UTF-8: base64").isEqualTo("//4=");
                assertThat(seen.path(TriggerRecords.SOURCE_TOPIC).asText()).isEqualTo(source);
                assertThat(seen.path(TriggerRecords.SOURCE_KEY).asText()).isEqualTo("k");
                List<String> names = new ArrayList<>();
                seen.fieldNames().forEachRemaining(names::add);
                assertThat(names).as("no ferry.* name of the record's own").noneMatch(name -> name.toLowerCase(
                        java.util.Locale.ROOT).startsWith("ferry.") && !name.startsWith("ferry.source."));
                assertThat(names).doesNotContain("Ferry.Source.Tombstone", TriggerRecords.SOURCE_TOMBSTONE);
                assertThat(TriggerKit.header(out, TriggerRecords.INVOCATION_ID)).isNotEqualTo("spoofed");
            });
        }
    }

    /**
     * Tester 14A, finding 13: an Avro key ({@code 0x00|schema id|...}, valid UTF-8 holding control characters for
     * most ids) never reached an HTTP function. Any key or source header value that is not printable ASCII now comes
     * as base64, marked, the same in every runtime; the destination record keeps the key's own bytes.
     */
    @Test
    void shouldGiveAnAvroKeyAndAControlCharacterHeaderAsMarkedBase64(KafkaFixture kafka) throws Exception {
        byte[] avroKey = {0, 0, 0, 0, 91, 14, 'o', 'r', 'd', 'e', 'r', '-', '1'};
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("akey-src", 1);
            Sink outputs = f.sink("akey-out");
            f.produceKeyed(source, avroKey, "{\"n\":1}", List.of(
                    Map.entry("x-ctl", new byte[] {'a', 1, 'b'}), Map.entry("x-app", "1".getBytes(
                            StandardCharsets.UTF_8))));
            TriggerSpec spec = f.specFromEarliest("akey", "hdrs", source).setDestination(outputs.topic()).build();
            FunctionSpec function = FunctionSpecs.builder("acme", "hdrs", Runtime.JAVA,
                    HeadersFunction.class.getName()).setTimeoutMs(10_000).build();
            try (TriggerPool pool = f.pool(spec, function)) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 1);
            }
            String base64 = java.util.Base64.getEncoder().encodeToString(avroKey);
            assertThat(outputs).singleElement().satisfies(out -> {
                JsonNode seen = new ObjectMapper().readTree(out.value());
                assertThat(seen.path(TriggerRecords.SOURCE_KEY).asText()).isEqualTo(base64);
                assertThat(seen.path(TriggerRecords.SOURCE_KEY_ENCODING).asText()).isEqualTo("base64");
                assertThat(seen.path(dev.ferry.worker.Invocation.KEY_ENCODING).asText()).isEqualTo("base64");
                assertThat(seen.path("x-ctl").asText()).isEqualTo("YQFi");
                assertThat(seen.path("x-app").asText()).isEqualTo("1");
                assertThat(seen.path(TriggerRecords.SOURCE_BASE64_HEADERS).asText()).isEqualTo("x-ctl");
                assertThat(out.key()).as("the destination keeps the key's bytes").isEqualTo(avroKey);
            });
        }
    }

    @Test
    void shouldSkipFilteredRecordsAndDeadLetterUndecodableOnesWhileTheRestFlow(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            Harness.Results results = f.results();
            String source = f.topic("payments", 2);
            Sink outputs = f.sink("paid");
            Sink failed = f.sink("payments-failed");
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                values.add("{\"n\":" + i + ",\"status\":\"" + (i % 2 == 0 ? "paid" : "open") + "\"}");
            }
            values.add("this is not json");
            f.kit.produce(source, keys(values.size(), 1), values);
            TriggerSpec spec = f.specFromEarliest("filtered", "enrich-f", source)
                    .setFilter("{\"value\": {\"status\": [\"paid\"]}}").setDestination(outputs.topic())
                    .setOnFailure(failed.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-f", 1, 3))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 100 && failed.size() >= 1);
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
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("nodes", 1);
            Sink outputs = f.sink("nodes-out");
            Sink failed = f.sink("nodes-failed");
            // Tester 11A, finding 4: a recursive schema, one record 100,000 levels deep (two bytes a level, written
            // by hand: Avro's encoder recurses too) and a normal one; the deep one's StackOverflowError ended the
            // replica for good while the trigger said RUNNING.
            Schema node = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"namespace\":"
                    + "\"tester\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"next\","
                    + "\"type\":[\"null\",\"Node\"],\"default\":null}]}");
            int id = f.register(source, node);
            f.kit.produceBytes(source, List.of(nested(id, 100_000), nested(id, 2)));
            TriggerSpec spec = f.specFromEarliest("deep", "enrich-d", source).setFormat(RecordFormat.AVRO)
                    .setDestination(outputs.topic()).setOnFailure(failed.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-d", 1, 1))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 1 && failed.size() >= 1);
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
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            Harness.Results results = f.results();
            String source = f.topic("batches", 1);
            Sink outputs = f.sink("batches-out");
            Sink failed = f.sink("batches-failed");
            List<String> values = new ArrayList<>(values(100));
            values.set(37, "{\"n\":37,\"poison\":true}");
            f.kit.produce(source, keys(100, 7), values);
            TriggerSpec spec = f.specFromEarliest("bisect", "enrich-b", source)
                    .setBatchSize(100).setBatchWindowMs(10_000).setBisectOnError(true)
                    .setDestination(outputs.topic()).setOnFailure(failed.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-b", 1, 2))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 99 && failed.size() >= 1);
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
            String alone = f.kit.invocationId(spec, source, 0, 37L, 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> results.of(alone).size() >= 2);
            assertThat(results.of(alone)).extracting(InvocationResult::getAttempt, InvocationResult::getFinal$,
                    InvocationResult::getReasonCode).containsExactly(tuple(1, false, null),
                    tuple(2, true, "attempts_exhausted"));
            assertThat(results.of(alone)).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(InvocationStatus.FAILED));
            // The whole batch's invocation is over, split rather than given up: its records are not failed yet.
            String whole = f.kit.invocationId(spec, source, 0, 0L, 100);
            await().atMost(Duration.ofSeconds(20)).until(() -> !results.of(whole).isEmpty());
            assertThat(results.of(whole)).extracting(InvocationResult::getFinal$, InvocationResult::getReasonCode)
                    .containsExactly(tuple(true, "bisected"));
        }
    }

    @Test
    void shouldStartAtTheFirstRecordAtOrAfterTheTimestampWhenStartingPositionIsTimestamp(KafkaFixture kafka)
            throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("timed", 2);
            Sink outputs = f.sink("timed-out");
            f.produce(source, 20, 4);
            long cut = System.currentTimeMillis() + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > cut);
            f.kit.produce(source, keys(10, 4), IntStream.range(100, 110).mapToObj(i -> "{\"n\":" + i + "}").toList());
            TriggerSpec spec = f.spec("timed", "enrich-t", source).setStartingPosition(StartingPosition.TIMESTAMP)
                    .setStartingTimestamp(java.time.Instant.ofEpochMilli(cut)).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-t", 2, 3))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 10);
                assertThat(pool.stats().read()).isEqualTo(10);
            }
            assertThat(outputs).hasSize(10).allSatisfy(out -> assertThat(TriggerKit.value(out))
                    .matches("\\{\"n\":10\\d,.*"));
        }
    }

    @Test
    void shouldReportFailingWithTheErrorWhenTheDestinationIsMissingAndRunningOnceItExists(KafkaFixture kafka)
            throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka, Map.of("trigger.status.interval.ms", 200))) {
            String source = f.topic("status-in", 1);
            String destination = TriggerKit.userTopic(f.harness, "status-out");
            f.produce(source, 10, 1);
            TriggerSpec spec = f.specFromEarliest("watched", "enrich-w", source).setDestination(destination).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-w", 1, 3))) {
                Statuses statuses = f.statuses();
                String key = f.statusKey("watched");
                statuses.await(key, Duration.ofSeconds(30), status -> status.getState() == TriggerState.FAILING);
                assertThat(statuses.latest(key).getError()).contains(destination, "do not exist");

                f.topic("status-out", 1);
                // The lag is read once per report, so the report that first counts 10 answers may still carry the
                // lag read before them.
                statuses.await(key, Duration.ofSeconds(60), status -> status.getState() == TriggerState.RUNNING
                        && status.getAnswered() == 10 && status.getLag() == 0);
                assertThat(statuses.latest(key)).satisfies(status -> {
                    assertThat(status.getRead()).isEqualTo(10);
                    assertThat(status.getError()).isNull();
                    assertThat(status.getLag()).isZero();
                });
                pool.close();
                await().atMost(Duration.ofSeconds(30)).until(() -> statuses.cleared(key));
            }
        }
    }

    @Test
    void shouldReportFailingWhenItsRecentRecordsAllFail(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka, Map.of("trigger.status.interval.ms", 200))) {
            String source = f.topic("doomed", 1);
            String failures = f.topic("doomed-failed", 1);
            f.kit.produce(source, keys(12, 3), IntStream.range(0, 12)
                    .mapToObj(i -> "{\"n\":" + i + ",\"poison\":true}").toList());
            TriggerSpec spec = f.specFromEarliest("doomed", "enrich-d", source).setOnFailure(failures).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-d", 1, 1))) {
                Statuses statuses = f.statuses();
                String key = f.statusKey("doomed");
                statuses.await(key, Duration.ofSeconds(30), status -> status.getFailed() == 12);
                assertThat(statuses.latest(key)).satisfies(status -> {
                    assertThat(status.getState()).isEqualTo(TriggerState.FAILING);
                    assertThat(status.getError()).contains("all failed", failures);
                });
            }
        }
    }

    @Test
    void shouldSendARecordWhoseOutputIsTooLargeToOnFailureAndKeepRunning(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka, Map.of("trigger.status.interval.ms", 200))) {
            Harness.Results results = f.results();
            String source = f.topic("big", 1);
            Sink outputs = f.sink("big-out"); // broker defaults: max.message.bytes about 1 MiB
            Sink failed = f.sink("big-failed");
            f.produce(source, 20, 4);
            FunctionSpec function = FunctionSpec.newBuilder(enrich("acme", "enrich-big", 1, 3))
                    .setEnv(Map.of("hugeN", "7")).build();
            TriggerSpec spec = f.specFromEarliest("big", "enrich-big", source).setDestination(outputs.topic())
                    .setOnFailure(failed.topic()).build();
            String key = f.statusKey("big");
            try (TriggerPool pool = f.pool(spec, function)) {
                Statuses statuses = f.statuses();
                f.awaitCaughtUp(spec, Duration.ofSeconds(120), () -> outputs.size() >= 19 && failed.size() >= 1);
                assertThat(pool.stats()).isEqualTo(new TriggerStats(20, 0, 19, 1));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    TriggerStatus status = statuses.latest(key);
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
                        .contains("over the limit of", outputs.topic());
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
}
