package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rest of issue 11's rule for triggers (DESIGN "Triggers", Failures): without a destination, an output too
 * large for {@code ferry.results} is a FAILED {@code output_too_large} result without it and its record goes to
 * onFailure; a source record too large to copy to onFailure is dead-lettered without its value. The trigger goes on.
 */
@FerryKafkaTest
@Timeout(240)
class TriggerOversizeIT {

    private static final int MIB = 1024 * 1024;

    @Test
    void shouldWriteAResultTooLargeForTheResultTopicWithoutItsOutputAndDeadLetterItsRecord(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka, Map.of(TopicConfig.MAX_MESSAGE_BYTES, MIB));
                TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("noout", 1);
            String failures = kit.topic("noout-failed", 1);
            kit.produce(source, TriggerFixture.keys(5, 1), TriggerFixture.values(5));
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            FunctionSpec function = FunctionSpec.newBuilder(TriggerFixture.enrich("acme", "enrich-r", 1, 3))
                    .setEnv(Map.of("hugeN", "2")).build();
            TriggerSpec spec = TriggerSpecs.builder("acme", "noout", "enrich-r", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setOnFailure(failures).build();
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> failed.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(5, 0, 4, 1));
            }
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(TriggerKit.source(letter)).isEqualTo(source + "-0@2");
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_CLASS))
                        .isEqualTo(TriggerRecords.OUTPUT_TOO_LARGE);
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE))
                        .contains("over the limit of", harness.topics.results());
            });
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TriggerFixture.ofFunction(results, "enrich-r").size() >= 5);
            assertThat(TriggerFixture.ofFunction(results, "enrich-r")).hasSize(5)
                    .filteredOn(r -> r.getStatus() != InvocationStatus.SUCCEEDED).singleElement().satisfies(r -> {
                        assertThat(r.getStatus()).isEqualTo(InvocationStatus.FAILED);
                        assertThat(r.getReasonCode()).isEqualTo("output_too_large");
                        assertThat(r.getOutput()).isNull();
                        assertThat(r.getDurationMicros()).isPositive();
                    });
            assertThat(TriggerFixture.ofFunction(results, "enrich-r")).filteredOn(r -> r.getOutput() != null)
                    .extracting(InvocationResult::getStatus).hasSize(4).containsOnly(InvocationStatus.SUCCEEDED);
        }
    }

    @Test
    void shouldDeadLetterARecordTooLargeToCopyWithoutItsValue(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = TriggerKit.userTopic(harness, "wide");
            new TopicProvisioner(kafka.admin()).ensure(new TopicSpec(source, 1, (short) 1,
                    Map.of("max.message.bytes", String.valueOf(4 * MIB))));
            String destination = kit.topic("wide-out", 1);
            String failures = kit.topic("wide-failed", 1); // broker defaults: about 1 MiB
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * MIB), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(source, "k", "not json " + "x".repeat(2 * MIB))).get();
                producer.send(new ProducerRecord<>(source, "k", "{\"n\":1}")).get();
            }
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            List<ConsumerRecord<byte[], byte[]>> failed = kit.read(failures);
            TriggerSpec spec = TriggerSpecs.builder("acme", "wide", "enrich-w", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setDestination(destination).setOnFailure(failures).build();
            FunctionSpec function = TriggerFixture.enrich("acme", "enrich-w", 1, 3);
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> failed.size() >= 1 && outputs.size() >= 1
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(2, 0, 1, 1));
            }
            assertThat(failed).singleElement().satisfies(letter -> {
                assertThat(letter.value()).isNull();
                assertThat(new String(letter.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("k");
                assertThat(TriggerKit.source(letter)).isEqualTo(source + "-0@0");
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(TriggerRecords.UNDECODABLE);
                assertThat(TriggerKit.header(letter, DeadLetters.ERROR_MESSAGE))
                        .contains("its value is not copied", failures, source + "-0@0");
            });
            assertThat(outputs).singleElement().extracting(TriggerKit::value).asString().contains("\"n\":1");
        }
    }
}
