package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerState;
import dev.ferry.worker.internal.trigger.TriggerReplica;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code LATEST} trigger through the life of its source topic (DESIGN "Triggers", where a trigger starts; tester
 * 12A, findings 1, 2 and 4): its starting position decides only where it starts, so partitions added later, records
 * left after retention overtook it, and a topic deleted and re-created under it are all read, and a topic that is
 * gone makes it FAILING. Each ran nothing, silently, when the replica reset to the end.
 */
@FerryKafkaTest
@Timeout(180)
class TriggerSourceLifeIT {

    @Test
    void shouldAnswerRecordsWrittenToAPartitionAddedToTheSourceAtOnce(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("grow", 1);
            String destination = kit.topic("grow-out", 1);
            kit.produce(source, TriggerIT.keys(5, 1), TriggerIT.values(5)); // before the trigger: not its work
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "grow", "enrich-g", List.of(source))
                    .setFormat(RecordFormat.JSON).setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, TriggerIT.enrich("acme", "enrich-g", 2, 3), context, 1)) {
                awaitAssigned(kit, spec, harness, source);
                produce(kafka, source, 0, 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 2);
                kafka.admin().createPartitions(Map.of(source, NewPartitions.increaseTo(3))).all()
                        .get(10, TimeUnit.SECONDS);
                produce(kafka, source, 1, 5);
                produce(kafka, source, 2, 5);
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 12);
            }
            assertThat(outputs.stream().map(TriggerKit::source).toList()).doesNotHaveDuplicates()
                    .hasSize(12).noneMatch(s -> s.equals(source + "-0@0"));
        }
    }

    @Test
    void shouldStartANoneTriggerAtTheEndAndReadAPartitionAddedLaterFromItsStart(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("grow-share", 1);
            String destination = kit.topic("grow-share-out", 1);
            kit.produce(source, TriggerIT.keys(5, 1), TriggerIT.values(5)); // before the trigger: not its work
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "grow-share", "enrich-gs", List.of(source))
                    .setOrdering(dev.ferry.schemas.TriggerOrdering.NONE).setFormat(RecordFormat.JSON)
                    .setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, TriggerIT.enrich("acme", "enrich-gs", 2, 3), context, 1)) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !kafka.admin()
                        .describeShareGroups(List.of(TriggerSpecs.group(spec, harness.topics))).describedGroups()
                        .get(TriggerSpecs.group(spec, harness.topics)).get().members().isEmpty());
                produce(kafka, source, 0, 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 2);
                kafka.admin().createPartitions(Map.of(source, NewPartitions.increaseTo(2))).all()
                        .get(10, TimeUnit.SECONDS);
                produce(kafka, source, 1, 5);
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 7);
            }
            assertThat(outputs.stream().map(TriggerKit::source).distinct().toList()).hasSize(7)
                    .noneMatch(s -> s.equals(source + "-0@0"));
        }
    }

    @Test
    void shouldResumeAtTheEarliestRemainingRecordWhenRetentionOvertookIt(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("kept", 1);
            String destination = kit.topic("kept-out", 1);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "kept", "enrich-k", List.of(source))
                    .setFormat(RecordFormat.JSON).setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, TriggerIT.enrich("acme", "enrich-k", 2, 3), context, 1)) {
                awaitAssigned(kit, spec, harness, source);
                produce(kafka, source, 0, 5);
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 5
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                pool.resize(0);
                produce(kafka, source, 0, 20); // offsets 5..24, unread
                kafka.admin().deleteRecords(Map.of(new TopicPartition(source, 0), RecordsToDelete.beforeOffset(15)))
                        .all().get(10, TimeUnit.SECONDS); // as retention would: 5..14 are gone
                pool.resize(1);
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 15
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
            }
            assertThat(outputs.stream().map(TriggerKit::source).toList()).containsExactlyElementsOf(
                    IntStream.concat(IntStream.range(0, 5), IntStream.range(15, 25)).mapToObj(o -> source + "-0@" + o)
                            .toList());
        }
    }

    @Test
    void shouldBeFailingWhileItsSourceIsGoneAndAnswerAllOfTheRecreatedTopic(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("reborn", 2);
            String destination = kit.topic("reborn-out", 1);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "reborn", "enrich-r", List.of(source))
                    .setFormat(RecordFormat.JSON).setDestination(destination).build();
            try (TriggerPool pool = new TriggerPool(spec, TriggerIT.enrich("acme", "enrich-r", 2, 3), context, 1)) {
                awaitAssigned(kit, spec, harness, source);
                kit.produce(source, TriggerIT.keys(4, 4), TriggerIT.values(4));
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 4);
                TriggerReplica replica = pool.members().get(0);
                kafka.admin().deleteTopics(List.of(source)).all().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).until(() -> replica.state() == TriggerState.FAILING
                        && String.valueOf(replica.error()).contains("source topic(s) [" + source + "] do not exist"));
                // Kafka may still be deleting it a moment.
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> kit.topic("reborn", 2) != null);
                kit.produce(source, TriggerIT.keys(10, 5), TriggerIT.values(10));
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 14
                        && replica.state() == TriggerState.RUNNING);
            }
            assertThat(outputs).hasSize(14);
        }
    }

    @Test
    void shouldReadARecreatedSourceFromItsStartWhenNoReplicaOfThisProcessSawTheTriggersGroup(KafkaFixture kafka)
            throws Exception {
        // Tester 13A, finding 1: the source re-created while no replica ran (a restart, a pool at zero); the group
        // had no offsets left, looked new, and LATEST put it at the new topic's end: every record skipped.
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("phoenix", 1);
            String destination = kit.topic("phoenix-out", 1);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            kit.produce(source, TriggerIT.keys(3, 3), TriggerIT.values(3)); // before the trigger: never read
            TriggerSpec spec = TriggerSpecs.builder("acme", "phoenix", "enrich-p", List.of(source))
                    .setFormat(RecordFormat.JSON).setDestination(destination)
                    .setUpdatedAt(java.time.Instant.now()).build();
            kafka.admin().deleteTopics(List.of(source)).all().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> kit.topic("phoenix", 1) != null);
            kit.produce(source, TriggerIT.keys(5, 5), TriggerIT.values(5));

            try (TriggerPool pool = new TriggerPool(spec, TriggerIT.enrich("acme", "enrich-p", 2, 3), context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 5
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
            }
            assertThat(outputs).hasSize(5);
        }
    }

    /** Waits until a replica of the trigger has joined its group and has partitions of {@code source}. */
    private static void awaitAssigned(TriggerKit kit, TriggerSpec spec, Harness harness, String source) {
        String group = TriggerSpecs.group(spec, harness.topics);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> kit.member(group)); // none yet: throws
    }

    /** {@code count} JSON records to {@code partition} of {@code topic} (a producer made now sees new partitions). */
    private static void produce(KafkaFixture kafka, String topic, int partition, int count) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "{\"n\":" + i + "}"));
            }
            producer.flush();
        }
    }
}
