package dev.ferry.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15: metering bills on through the loss of a broker. On a 3-broker cluster, metering's internal topics (its
 * changelogs and repartition topic) get the platform topics' replication, not the broker default of 1; then a
 * stopped broker takes none of their partitions offline, and results written after the loss are billed exactly.
 * Before, the partitions on the lost broker went offline, the Streams transactions writing them hung and the group
 * never settled (the broker SIGKILL system case's "usage stopped").
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MeteringBrokerLossIT {

    private static final int MEMORY_MB = 256;

    @Test
    void shouldBillEveryResultWhenABrokerIsLost() throws Exception {
        Path state = Files.createTempDirectory("metering-broker-loss");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().brokers(3));
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            FerryConfig config = new FerryConfig(Map.of(
                    FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                    FerryConfig.SCHEMA_REGISTRY_URL, registry.url(),
                    FerryConfig.TOPIC_PREFIX, "loss.",
                    TopicConfig.PARTITIONS, 1,
                    MeteringConfig.WINDOW_MS, 1000L,
                    MeteringConfig.GRACE_MS, 1000L,
                    MeteringConfig.COMMIT_INTERVAL_MS, 100L,
                    MeteringConfig.HTTP_PORT, 0,
                    MeteringConfig.STATE_DIR, state.toString()));
            MeteringItSupport.createTopics(config);
            Map<String, Object> streams = new HashMap<>(MeteringItSupport.fastStreams());
            String appId = new TopicCatalog(config).meteringApplicationId();
            long billed = 0;
            try (MeteringService metering = new MeteringService(config, StreamsConfig.EXACTLY_ONCE_V2, streams)
                    .start();
                    KafkaProducer<String, InvocationResult> producer = MeteringItSupport.resultProducer(config);
                    MeteringItSupport.UsageTail tail = new MeteringItSupport.UsageTail(config)) {
                billed += sendResults(producer, config, 30);
                long before = billed;
                await("usage of the results before the loss").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(250)).until(() -> billedMillis(tail.records) == before);

                Collection<TopicDescription> internal = internalTopics(admin, appId);
                assertThat(internal).as("metering's changelogs and repartition topic").isNotEmpty();
                assertThat(internal).allSatisfy(topic -> assertThat(topic.partitions())
                        .as(topic.name()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3)));

                kafka.stopBroker(busiestStoppable(internal));
                billed += sendResults(producer, config, 30);
                long after = billed;
                await("usage of every result, after the loss too").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250)).until(() -> billedMillis(tail.records) == after);
                assertThat(tail.records.stream().map(ConsumerRecord::key).toList()).doesNotHaveDuplicates();
                assertThat(metering.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    /** Sends {@code count} results of one function that ran, each of a distinct duration; answers the ms billed. */
    private static long sendResults(KafkaProducer<String, InvocationResult> producer, FerryConfig config,
            int count) {
        long billed = 0;
        for (int i = 1; i <= count; i++) {
            Instant now = Instant.now();
            long micros = 1_000L * i + 1; // bills i + 1 ms
            InvocationResult result = InvocationResult.newBuilder()
                    .setInvocationId(UUID.randomUUID().toString())
                    .setTenant("acme")
                    .setFunction("resize")
                    .setAttempt(1)
                    .setStatus(InvocationStatus.SUCCEEDED)
                    .setMemoryMb(MEMORY_MB)
                    .setSubmittedAt(now.minusMillis(50))
                    .setStartedAt(now.minusMillis(20))
                    .setFinishedAt(now)
                    .setDurationMicros(micros)
                    .build();
            MeteringItSupport.send(producer, config, result);
            billed += i + 1;
        }
        producer.flush();
        return billed;
    }

    private static long billedMillis(List<ConsumerRecord<String, UsageRecord>> records) {
        return records.stream().mapToLong(r -> r.value().getBilledMillis()).sum();
    }

    private static Collection<TopicDescription> internalTopics(Admin admin, String appId) throws Exception {
        Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(n -> n.startsWith(appId + "-")).collect(Collectors.toSet());
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values();
    }

    /** Of the brokers that may be stopped (not node 0, the controller's), the one leading most internal partitions. */
    private static int busiestStoppable(Collection<TopicDescription> internal) {
        Map<Integer, Long> led = internal.stream().flatMap(t -> t.partitions().stream())
                .map(TopicPartitionInfo::leader).filter(l -> l != null && l.id() != 0)
                .collect(Collectors.groupingBy(l -> l.id(), Collectors.counting()));
        return led.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(1);
    }
}
