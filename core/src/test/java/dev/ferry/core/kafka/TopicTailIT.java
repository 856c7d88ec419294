package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.TestConfigs;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicTailIT {

    private FerryConfig config;
    private KafkaClients clients;
    private Admin admin;
    private KafkaProducer<String, String> producer;
    private String topic;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        config = TestConfigs.isolated(kafka);
        clients = new KafkaClients(config);
        admin = clients.admin("tail-test-admin");
        topic = config.topicPrefix() + "tailed";
        createTopic(2);
        producer = clients.producer("tail-test", new StringSerializer(), new StringSerializer(), Map.of());
    }

    @AfterEach
    void tearDown() {
        producer.close();
        admin.close();
    }

    @Test
    void shouldReadEverythingFromTheBeginningAndCompleteReadToEndWhenHandled() throws Exception {
        send(0, "a");
        send(1, "b");
        try (TopicTail tail = tail(TopicTail.Start.beginning()).start()) {
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(seen).containsExactlyInAnyOrder("a", "b");
            await().atMost(Duration.ofSeconds(30)).until(() -> tail.state() == TopicTail.State.RUNNING);

            send(0, "c");
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
        }
    }

    @Test
    void shouldSeeOnlyNewRecordsWhenStartedAtTheEnd() throws Exception {
        send(0, "old");
        try (TopicTail tail = tail(TopicTail.Start.end()).start()) {
            send(1, "new"); // produced after start() returned: must not be missed
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("new");
        }
    }

    @Test
    void shouldStartAtTheFirstRecordAtOrAfterAnInstant() throws Exception {
        producer.send(new ProducerRecord<>(topic, 0, 1_000L, "k", "ancient")).get();
        producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis(), "k", "recent")).get();
        try (TopicTail tail = tail(TopicTail.Start.at(Instant.now().minusSeconds(60))).start()) {
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("recent");
        }
    }

    @Test
    void shouldSkipAndCountRecordsItsHandlerThrowsOnAndGoOn() throws Exception {
        TopicTail tail = TopicTail.builder(clients, topic, r -> {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            if (value.startsWith("poison")) {
                throw new IllegalStateException("cannot take " + value);
            }
            seen.add(value);
        }).name("tail-test-" + UUID.randomUUID()).build();
        try (tail) {
            tail.start();
            for (int i = 0; i < 5; i++) {
                send(0, "poison-" + i);
            }
            send(0, "good");
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("good");
            assertThat(tail.failedRecords()).isEqualTo(5);
            assertThat(tail.state()).isEqualTo(TopicTail.State.RUNNING);
            assertThat(tail.readiness().problem()).isEmpty();
        }
    }

    @Test
    void shouldFollowPartitionsAddedToTheTopic() throws Exception {
        try (TopicTail tail = TopicTail.builder(clients, topic, r -> seen.add(value(r.value())))
                .partitionCheck(Duration.ofMillis(500)).build().start()) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get();
            send(2, "on-the-new-partition");
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("on-the-new-partition"));
        }
    }

    @Test
    void shouldFailVisiblyWhenItsTopicIsDeletedAndRecoverWhenItIsBack() throws Exception {
        send(0, "before");
        try (TopicTail tail = TopicTail.builder(clients, topic, r -> seen.add(value(r.value())))
                .restartBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build().start()) {
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> tail.state() == TopicTail.State.RUNNING);

            admin.deleteTopics(Set.of(topic)).all().get();
            await().atMost(Duration.ofSeconds(60)).until(() -> tail.state() == TopicTail.State.FAILED);
            assertThat(tail.failure()).isPresent();
            assertThat(tail.readiness().problem()).hasValueSatisfying(p -> assertThat(p).contains("failed"));

            createTopicWhenDeletionIsDone(2);
            send(0, "after");
            await().atMost(Duration.ofSeconds(60)).until(() -> tail.state() == TopicTail.State.RUNNING);
            tail.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("before", "after");
            assertThat(tail.failure()).isEmpty();
        }
    }

    @Test
    void shouldFailPendingReadsWhenClosed() {
        TopicTail tail = tail(TopicTail.Start.beginning());
        CompletableFuture<Void> read = tail.readToEnd();
        tail.close();
        assertThat(tail.state()).isEqualTo(TopicTail.State.STOPPED);
        assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    /**
     * Issue 16: the tails of one process list their end offsets on one admin client, which the process's runtime
     * holds and closes, not on one each (seen in JMX, as an operator counting a process's clients would).
     */
    @Test
    void shouldListTheEndOffsetsOfARuntimesTailsOnOneAdminClientThatTheRuntimeCloses() throws Exception {
        send(0, "a");
        ObjectName shared = new ObjectName("kafka.admin.client:type=app-info,id=ferry-tail-offsets");
        FerryRuntime runtime = FerryRuntime.create(config);
        try {
            try (TopicTail first = TopicTail.builder(runtime.clients(), topic, r -> seen.add(value(r.value())))
                    .name("tail-test-first").build().start();
                    TopicTail second = TopicTail.builder(runtime.clients(), topic, r -> { })
                            .name("tail-test-second").build().start()) {
                first.readToEnd().get(30, TimeUnit.SECONDS);
                second.readToEnd().get(30, TimeUnit.SECONDS);
                assertThat(seen).containsExactly("a");
                assertThat(registered(shared)).isTrue();
                assertThat(registered(new ObjectName("kafka.admin.client:type=app-info,id=tail-test-first-offsets")))
                        .isFalse();
            }
            assertThat(registered(shared)).as("held by the runtime, not by its tails").isTrue();
        } finally {
            runtime.close();
        }
        assertThat(registered(shared)).as("closed with the runtime").isFalse();
    }

    private static boolean registered(ObjectName name) {
        return ManagementFactory.getPlatformMBeanServer().isRegistered(name);
    }

    private TopicTail tail(TopicTail.Start start) {
        return TopicTail.builder(clients, topic, r -> seen.add(value(r.value()))).from(start).build();
    }

    private void send(int partition, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, "k", value)).get();
    }

    private static String value(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void createTopic(int partitions) {
        new TopicProvisioner(admin).ensure(new TopicSpec(topic, partitions, (short) 1, Map.of()));
    }

    private void createTopicWhenDeletionIsDone(int partitions) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            createTopic(partitions);
            return true;
        });
    }
}
