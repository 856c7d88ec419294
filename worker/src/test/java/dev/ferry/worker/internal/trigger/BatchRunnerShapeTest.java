package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.triggers.SourceValue;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import dev.ferry.worker.internal.Backoff;
import dev.ferry.worker.internal.Invoker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a function of a trigger gets follows the trigger's {@code batchSize}, not the number of records that run
 * together (tester 10, finding 4): a function written for arrays got a bare value when a batch held one record.
 */
class BatchRunnerShapeTest {

    private final ExecutorService userThreads = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** Every payload the function got, as text. */
    private final List<String> payloads = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        userThreads.shutdownNow();
        timers.shutdownNow();
    }

    private BatchOutcome run(int batchSize, boolean bisect, int maxAttempts, Function function, int records)
            throws Exception {
        TriggerSpec spec = TriggerSpecs.builder("acme", "shape", "f", List.of("in")).setBatchSize(batchSize)
                .setBisectOnError(bisect).setDestination("out").setOnFailure("dlq").build();
        FunctionSpec functionSpec = FunctionSpecs.builder("acme", "f", Runtime.JAVA, "unused")
                .setMaxAttempts(maxAttempts).setTimeoutMs(10_000).build();
        TriggerReplicaSettings settings = new TriggerReplicaSettings(new TriggerRef("acme", "shape"), spec,
                functionSpec, 0, "g", "dlq", "shape#0", "w", "w");
        Function recording = in -> {
            payloads.add(in.payloadAsString());
            return function.apply(in);
        };
        BatchRunner runner = new BatchRunner(settings, recording, new Invoker(userThreads, timers, Clock.systemUTC()),
                new Backoff(0, 0), timers, Clock.systemUTC(),
                new TriggerRecords(new TriggerRef("acme", "shape"), "out", "dlq", "ferry.results", (topic, result) -> new byte[0]));
        List<SourceItem> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            byte[] value = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            batch.add(new SourceItem(new ConsumerRecord<>("in", 0, i, null, value),
                    new SourceValue(value, SourceValue.JSON, Json.MAPPER.readTree(value))));
        }
        return runner.run(batch).get(10, TimeUnit.SECONDS);
    }

    private static List<String> written(BatchOutcome outcome, String topic) {
        return outcome.writes().stream().filter(w -> w.topic().equals(topic))
                .map(w -> new String(w.value(), StandardCharsets.UTF_8)).toList();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldSendALoneRecordAsAOneElementArrayWhenTheBatchSizeIsAboveOne() throws Exception {
        BatchOutcome outcome = run(10, false, 1, in -> "[{\"seen\":1}]".getBytes(StandardCharsets.UTF_8), 1);

        assertThat(payloads).singleElement().satisfies(p -> assertThat(p).startsWith("[{").contains("\"offset\":0"));
        assertThat(written(outcome, "out")).as("[x] answers the one record with x").containsExactly("{\"seen\":1}");
        assertThat(outcome.answered()).isEqualTo(1);
    }

    /** Session 11: HTTP and PROCESS functions are told their tenant and name; a JAVA function reads them too. */
    @Test
    void shouldTellTheFunctionItsTenantAndNameAndTheSourceAsHeaders() throws Exception {
        BatchOutcome outcome = run(1, false, 1, in -> ("\"" + in.tenant() + "/" + in.function() + " "
                + in.headers().get(TriggerRecords.SOURCE_OFFSET) + "\"").getBytes(StandardCharsets.UTF_8), 1);

        assertThat(written(outcome, "out")).containsExactly("\"acme/f 0\"");
    }

    /** Tester 12A, finding 8: a tombstone and an empty value both arrive as an empty payload; the header tells. */
    @Test
    void shouldMarkATombstoneWithAHeaderWhenTheBatchSizeIsOne() throws Exception {
        TriggerSpec spec = TriggerSpecs.builder("acme", "shape", "f", List.of("in")).setDestination("out").build();
        FunctionSpec functionSpec = FunctionSpecs.builder("acme", "f", Runtime.JAVA, "unused").build();
        TriggerReplicaSettings settings = new TriggerReplicaSettings(new TriggerRef("acme", "shape"), spec,
                functionSpec, 0, "g", "dlq", "shape#0", "w", "w");
        BatchRunner runner = new BatchRunner(settings, in -> (in.payload().length + " "
                + in.headers().get(TriggerRecords.SOURCE_TOMBSTONE)).getBytes(StandardCharsets.UTF_8),
                new Invoker(userThreads, timers, Clock.systemUTC()), new Backoff(0, 0), timers, Clock.systemUTC(),
                new TriggerRecords(new TriggerRef("acme", "shape"), "out", "dlq", "ferry.results", (topic, result) -> new byte[0]));
        List<String> outputs = new ArrayList<>();
        for (byte[] value : new byte[][] {null, new byte[0]}) {
            SourceItem item = new SourceItem(new ConsumerRecord<>("in", 0, 0L, null, value),
                    new SourceValue(new byte[0], SourceValue.OCTET_STREAM, Json.MAPPER.nullNode()));
            outputs.addAll(written(runner.run(List.of(item)).get(10, TimeUnit.SECONDS), "out"));
        }

        assertThat(outputs).containsExactly("0 true", "0 null");
    }

    /** Tester 14A, finding 3: every attempt of a record run alone carries its headers, Ferry's over the record's. */
    @Test
    void shouldGiveEveryAttemptAtBatchSizeOneTheRecordsHeadersWithFerrysOverThem() throws Exception {
        TriggerSpec spec = TriggerSpecs.builder("acme", "shape", "f", List.of("in")).setDestination("out").build();
        FunctionSpec functionSpec = FunctionSpecs.builder("acme", "f", Runtime.JAVA, "unused").setMaxAttempts(2)
                .build();
        TriggerReplicaSettings settings = new TriggerReplicaSettings(new TriggerRef("acme", "shape"), spec,
                functionSpec, 0, "g", "dlq", "shape#0", "w", "w");
        List<java.util.Map<String, String>> seen = Collections.synchronizedList(new ArrayList<>());
        BatchRunner runner = new BatchRunner(settings, in -> {
            seen.add(in.headers());
            if (in.attempt() == 1) {
                throw new IllegalStateException("first attempt");
            }
            return "ok".getBytes(StandardCharsets.UTF_8);
        }, new Invoker(userThreads, timers, Clock.systemUTC()), new Backoff(0, 0), timers, Clock.systemUTC(),
                new TriggerRecords(new TriggerRef("acme", "shape"), "out", "dlq", "ferry.results",
                        (topic, result) -> new byte[0]));
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                .getBytes(StandardCharsets.UTF_8));
        headers.add("x-app", "1".getBytes(StandardCharsets.UTF_8));
        headers.add(TriggerRecords.SOURCE_OFFSET, "99".getBytes(StandardCharsets.UTF_8));
        byte[] value = "{}".getBytes(StandardCharsets.UTF_8);
        SourceItem item = new SourceItem(new ConsumerRecord<>("in", 0, 7L, 5L, TimestampType.CREATE_TIME, 0,
                value.length, null, value, headers, Optional.empty()),
                new SourceValue(value, SourceValue.JSON, Json.MAPPER.readTree(value)));

        assertThat(written(runner.run(List.of(item)).get(10, TimeUnit.SECONDS), "out")).containsExactly("ok");
        assertThat(seen).hasSize(2).allSatisfy(h -> assertThat(h).containsEntry("x-app", "1")
                .containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .containsEntry(TriggerRecords.SOURCE_OFFSET, "7").containsEntry(TriggerRecords.SOURCE_TIMESTAMP, "5")
                .doesNotContainKey(TriggerRecords.SOURCE_KEY));
    }

    /**
     * Tester 14A, finding 13: an Avro key ({@code 0x00|schema id|...}, valid UTF-8 with control characters for most
     * ids) was left out of an HTTP function's headers, one not UTF-8 came as unmarked base64. Now any key (and any
     * source header value) that is not printable ASCII is base64, marked, the same for every runtime.
     */
    @Test
    void shouldGiveAKeyOrHeaderValueThatIsNotPrintableAsciiAsMarkedBase64() throws Exception {
        TriggerSpec spec = TriggerSpecs.builder("acme", "shape", "f", List.of("in")).setDestination("out").build();
        FunctionSpec functionSpec = FunctionSpecs.builder("acme", "f", Runtime.JAVA, "unused").build();
        TriggerReplicaSettings settings = new TriggerReplicaSettings(new TriggerRef("acme", "shape"), spec,
                functionSpec, 0, "g", "dlq", "shape#0", "w", "w");
        List<Invocation> seen = Collections.synchronizedList(new ArrayList<>());
        BatchRunner runner = new BatchRunner(settings, in -> {
            seen.add(in);
            return "ok".getBytes(StandardCharsets.UTF_8);
        }, new Invoker(userThreads, timers, Clock.systemUTC()), new Backoff(0, 0), timers, Clock.systemUTC(),
                new TriggerRecords(new TriggerRef("acme", "shape"), "out", "dlq", "ferry.results",
                        (topic, result) -> new byte[0]));
        byte[] avroKey = {0, 0, 0, 0, 91, 14, 'o', 'r', 'd', 'e', 'r', '-', '1'};
        RecordHeaders headers = new RecordHeaders();
        headers.add("x-ctl", new byte[] {'a', 1, 'b'});
        headers.add("x-text", "ok".getBytes(StandardCharsets.UTF_8));
        headers.add("x-bin", new byte[] {(byte) 0xc8});
        byte[] value = "{}".getBytes(StandardCharsets.UTF_8);
        for (byte[] key : new byte[][] {avroKey, "order-1".getBytes(StandardCharsets.UTF_8)}) {
            SourceItem item = new SourceItem(new ConsumerRecord<>("in", 0, 7L, 5L, TimestampType.CREATE_TIME, 0,
                    value.length, key, value, headers, Optional.empty()),
                    new SourceValue(value, SourceValue.JSON, Json.MAPPER.readTree(value)));
            runner.run(List.of(item)).get(10, TimeUnit.SECONDS);
        }

        assertThat(seen).hasSize(2);
        String base64 = java.util.Base64.getEncoder().encodeToString(avroKey);
        assertThat(seen.get(0).key()).contains(base64);
        assertThat(seen.get(0).keyEncoding()).contains("base64");
        assertThat(seen.get(0).headers()).containsEntry(TriggerRecords.SOURCE_KEY, base64)
                .containsEntry(TriggerRecords.SOURCE_KEY_ENCODING, "base64")
                .containsEntry(Invocation.KEY_ENCODING, "base64")
                .containsEntry("x-ctl", "YQFi").containsEntry("x-bin", "yA==").containsEntry("x-text", "ok")
                .containsEntry(TriggerRecords.SOURCE_BASE64_HEADERS, "x-ctl,x-bin");
        assertThat(seen.get(1).key()).contains("order-1");
        assertThat(seen.get(1).keyEncoding()).as("printable ASCII is its text, unmarked").isEmpty();
        assertThat(seen.get(1).headers()).containsEntry(TriggerRecords.SOURCE_KEY, "order-1")
                .doesNotContainKeys(TriggerRecords.SOURCE_KEY_ENCODING, Invocation.KEY_ENCODING);
    }

    @Test
    void shouldSendTheBareValueWhenTheBatchSizeIsOne() throws Exception {
        BatchOutcome outcome = run(1, false, 1, in -> "[1]".getBytes(StandardCharsets.UTF_8), 1);

        assertThat(payloads).containsExactly("{\"n\":0}");
        assertThat(written(outcome, "out")).as("an array is just an output at batchSize 1").containsExactly("[1]");
    }

    @Test
    void shouldKeepSendingArraysWhenBisectReachesOneRecord() throws Exception {
        BatchOutcome outcome = run(4, true, 1, in -> {
            if (in.payloadAsString().contains("\"n\":2")) {
                throw new IllegalStateException("bad record");
            }
            return null;
        }, 4);

        assertThat(payloads).hasSize(5).allSatisfy(p -> assertThat(p).startsWith("["));
        assertThat(outcome.answered()).isEqualTo(3);
        assertThat(outcome.failed()).isEqualTo(1);
    }

    @Test
    void shouldRetryABatchItemFailureAsAOneElementArrayAndFailItInPlaceWhenItIsNamedAgain() throws Exception {
        // Names every record whose value is n=1, also when it is alone: that is its attempt failing, not a loop.
        BatchOutcome outcome = run(3, false, 2, in -> {
            JsonNode batch = Json.MAPPER.readTree(in.payload());
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).path("value").path("n").asInt() == 1) {
                    return ("{\"batchItemFailures\":[" + i + "]}").getBytes(StandardCharsets.UTF_8);
                }
            }
            return null;
        }, 3);

        assertThat(payloads).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("["));
        assertThat(payloads.get(1)).isEqualTo(payloads.get(2)).contains("\"offset\":1").doesNotContain("\"offset\":0");
        List<ProducerRecord<byte[], byte[]>> letters = outcome.writes().stream()
                .filter(w -> w.topic().equals("dlq")).toList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(header(letter, DeadLetters.ORIGINAL_OFFSET)).isEqualTo("1");
            // Run three times: in the batch, then alone twice (maxAttempts 2).
            assertThat(header(letter, DeadLetters.ATTEMPT)).isEqualTo("3");
            assertThat(header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(TriggerRecords.ITEM_FAILED);
        });
        assertThat(outcome.answered()).isEqualTo(2);
        assertThat(written(outcome, "out")).isEmpty();
    }

    /**
     * {@code ferry.attempt} on a letter is how many times the function ran on the record, in a batch and alone: a
     * record that failed in its batch, in its half and alone was dead-lettered as attempt 1 (its last invocation's).
     */
    @Test
    void shouldCountEveryRunOfARecordInItsLetterWhenBisectionNarrowsItDown() throws Exception {
        BatchOutcome outcome = run(4, true, 1, in -> {
            if (in.payloadAsString().contains("\"n\":2")) {
                throw new IllegalStateException("bad record");
            }
            return null;
        }, 4);

        List<ProducerRecord<byte[], byte[]>> letters = outcome.writes().stream()
                .filter(w -> w.topic().equals("dlq")).toList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(header(letter, DeadLetters.ORIGINAL_OFFSET)).isEqualTo("2");
            // The batch of 4, the half [2, 3], then alone.
            assertThat(header(letter, DeadLetters.ATTEMPT)).isEqualTo("3");
            assertThat(header(letter, TriggerRecords.TRIGGER)).isEqualTo("acme/shape");
        });
    }

    /**
     * A record that ran in a failing batch and is too old by the time its half would run was dead-lettered with
     * {@code ferry.attempt} 0, "never ran", though it had: it counts its run.
     */
    @Test
    void shouldCountTheRunsOfARecordThatGrewTooOldAfterABisection() throws Exception {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        AtomicReference<Instant> now = new AtomicReference<>(start);
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        TriggerSpec spec = TriggerSpecs.builder("acme", "shape", "f", List.of("in")).setBatchSize(2)
                .setBisectOnError(true).setMaxRecordAgeMs(60_000L).setDestination("out").setOnFailure("dlq").build();
        FunctionSpec functionSpec = FunctionSpecs.builder("acme", "f", Runtime.JAVA, "unused").setMaxAttempts(1)
                .setTimeoutMs(10_000).build();
        TriggerReplicaSettings settings = new TriggerReplicaSettings(new TriggerRef("acme", "shape"), spec,
                functionSpec, 0, "g", "dlq", "shape#0", "w", "w");
        // The batch fails and takes two minutes: both records are past maxRecordAgeMs before their halves run.
        BatchRunner runner = new BatchRunner(settings, in -> {
            now.set(start.plus(Duration.ofMinutes(2)));
            throw new IllegalStateException("slow and failing");
        }, new Invoker(userThreads, timers, clock), new Backoff(0, 0), timers, clock,
                new TriggerRecords(new TriggerRef("acme", "shape"), "out", "dlq", "ferry.results",
                        (topic, result) -> new byte[0]));
        List<SourceItem> batch = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] value = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            batch.add(new SourceItem(new ConsumerRecord<>("in", 0, i, start.toEpochMilli(), TimestampType.CREATE_TIME,
                    0, value.length, null, value, new RecordHeaders(), Optional.empty()),
                    new SourceValue(value, SourceValue.JSON, Json.MAPPER.readTree(value))));
        }

        BatchOutcome outcome = runner.run(batch).get(10, TimeUnit.SECONDS);

        List<ProducerRecord<byte[], byte[]>> letters = outcome.writes().stream()
                .filter(w -> w.topic().equals("dlq")).toList();
        assertThat(letters).hasSize(2).allSatisfy(letter -> {
            assertThat(header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(TriggerRecords.TOO_OLD);
            assertThat(header(letter, DeadLetters.ATTEMPT)).isEqualTo("1");
            assertThat(header(letter, TriggerRecords.TRIGGER)).isEqualTo("acme/shape");
        });
    }
}
