package dev.ferry.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metering stopped cleanly and started again on the same state directory picks up its stores where they were: it
 * restores nothing from their changelogs. Under Kafka Streams 4.4 it wiped and restored every by-function task at
 * each such restart, because a window store with no live segment kept no changelog offset (docs/design.md section 5,
 * {@code CheckpointedWindowStores}).
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MeteringRestartIT {

    @TempDir
    Path stateDir;

    @Test
    void shouldRestoreNothingFromTheChangelogsWhenMeteringRestartsAfterACleanStop(KafkaFixture kafka)
            throws Exception {
        // Hour-long windows: none closes during the test, so the window stores hold nothing while the open windows,
        // timelines and attempts seen hold the results: the state every restart wiped.
        FerryConfig config = MeteringItSupport.config(kafka, 2, Map.of(MeteringConfig.WINDOW_MS, 3_600_000L,
                MeteringConfig.STATE_DIR, stateDir.toString()));
        MeteringItSupport.createTopics(config);
        try (KafkaProducer<String, InvocationResult> producer = MeteringItSupport.resultProducer(config)) {
            for (int i = 0; i < 20; i++) {
                MeteringItSupport.send(producer, config, MeteringItSupport.result("acme", "resize-" + i % 3,
                        Instant.now().toEpochMilli(), 128, 1500));
            }
            producer.flush();
        }

        Restores first = new Restores();
        try (KafkaStreams streams = start(config, first)) {
            awaitAllResultsCommitted(config);
            // As MeteringService stops: leaving the group, so the next start is assigned at once.
            assertThat(streams.close(CloseOptions.groupMembershipOperation(
                    CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30))))
                    .as("a clean stop").isTrue();
        }

        Restores second = new Restores();
        try (KafkaStreams streams = start(config, second)) {
            assertThat(second.records.get()).as("records restored from the changelogs after a clean stop: %s",
                    second.restored).isZero();
            streams.close(Duration.ofSeconds(30));
        }
    }

    /** The topology and settings {@link MeteringService} runs, with a restore listener; returned once RUNNING. */
    private static KafkaStreams start(FerryConfig config, Restores restores) {
        Properties props = MeteringTopology.streamsProperties(config, StreamsConfig.EXACTLY_ONCE_V2);
        props.putAll(MeteringItSupport.fastStreams());
        KafkaStreams streams = new KafkaStreams(MeteringTopology.build(config, new AvroSerdes(config),
                StreamsConfig.EXACTLY_ONCE_V2), props);
        streams.setGlobalStateRestoreListener(restores);
        streams.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    /** Waits until metering's group has committed the end of every partition of the results and repartition topics. */
    private static void awaitAllResultsCommitted(FerryConfig config) {
        TopicCatalog topics = new TopicCatalog(config);
        try (Admin admin = new KafkaClients(config).admin("metering-restart-it")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin
                        .listConsumerGroupOffsets(topics.meteringApplicationId()).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                Set<String> read = Set.of(topics.results(), topics.meteringApplicationId()
                        + "-by-function-repartition");
                List<TopicPartition> partitions = committed.keySet().stream()
                        .filter(tp -> read.contains(tp.topic())).toList();
                assertThat(partitions.stream().map(TopicPartition::topic).collect(Collectors.toSet()))
                        .isEqualTo(read);
                Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream().collect(
                        Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get(10, TimeUnit.SECONDS)
                        .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                // A committed offset at the end, or one transaction marker short of it (the marker after the
                // group's last transaction on a topic it wrote: the repartition topic).
                for (TopicPartition tp : partitions) {
                    assertThat(committed.get(tp).offset()).as(tp.toString()).isBetween(ends.get(tp) - 1, ends.get(tp));
                }
            });
        }
    }

    /**
     * Counts the records restored, and names each restoration that began (a store whose checkpoint is one
     * transaction marker short of its changelog's end begins one and restores nothing).
     */
    private static final class Restores implements StateRestoreListener {
        final AtomicLong records = new AtomicLong();
        final Queue<String> restored = new ConcurrentLinkedQueue<>();

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            restored.add(store + " " + partition + " " + startingOffset + ".." + endingOffset);
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
            records.addAndGet(restored);
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        }
    }
}
