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
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
            String destination = kit.topic("enriched", 3);
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
            });
            assertThat(mine.stream().map(InvocationResult::getInvocationId).distinct()).hasSize(count);
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
            });
            // Filtered records were never invoked: exactly one result per paid record, none for the others.
            assertThat(ofFunction(results, "enrich-f")).hasSize(100);
        }
    }

    @Test
    void shouldSendExactlyThePoisonRecordToOnFailureWhenABisectedBatchFails(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
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
            });
        }
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
