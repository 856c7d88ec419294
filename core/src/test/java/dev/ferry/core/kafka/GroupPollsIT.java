package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.TestConfigs;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A poll of {@link GroupPolls#IDLE} reads a record that arrives while it waits, and
 * {@link GroupPolls#leaveAndClose}: an idle member whose fetch the broker holds for {@link GroupPolls#IDLE_FETCH_WAIT}
 * leaves its group at once and closes without waiting that fetch out. A plain {@code close()} took about 5 s here,
 * on every stop of a dispatcher or an autoscaler (and every test that stopped one waited it out).
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GroupPollsIT {

    /**
     * The rule {@link GroupPolls#IDLE} rests on: within one long poll a member keeps fetching as each fetch comes
     * back empty, so a record produced meanwhile is read by that poll's next fetch. kafka-clients 4.3 sent no further
     * fetch after an empty one until something else woke its background thread, such as the next heartbeat
     * (KAFKA-20780): run against kafka-clients 4.3.1, this member made about one fetch per heartbeat, and a record
     * arriving waited 0.6-1.8 s for it. The broker holds fetches for 20 ms here and heartbeats are 500 ms apart (the
     * embedded broker's interval), so a fixed client makes a dozen or more fetches per heartbeat; counting both, not
     * timing, keeps the test free of the machine's speed.
     */
    @Test
    void shouldKeepFetchingWithinOneLongPollAndReadARecordThatArrives(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka);
        KafkaClients clients = new KafkaClients(config);
        String topic = config.topicPrefix() + "arrivals";
        try (Admin admin = clients.admin("group-polls-arrival-admin");
             KafkaConsumer<byte[], byte[]> consumer = clients.consumer(config.topicPrefix() + "arrival-group",
                     "group-polls-arrival", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                     Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20));
             KafkaProducer<byte[], byte[]> producer = clients.producer("group-polls-arrival-producer",
                     new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
            new TopicProvisioner(admin).ensure(new TopicSpec(topic, 1, (short) 1, Map.of()));
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            double fetchesBefore = count(consumer, "consumer-fetch-manager-metrics", "fetch-total");
            double heartbeatsBefore = count(consumer, "consumer-coordinator-metrics", "heartbeat-total");

            CompletableFuture<ConsumerRecords<byte[], byte[]>> poll =
                    CompletableFuture.supplyAsync(() -> consumer.poll(Duration.ofSeconds(120)));
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    count(consumer, "consumer-fetch-manager-metrics", "fetch-total") >= fetchesBefore + 40);
            double fetches = count(consumer, "consumer-fetch-manager-metrics", "fetch-total") - fetchesBefore;
            double heartbeats = count(consumer, "consumer-coordinator-metrics", "heartbeat-total") - heartbeatsBefore;
            assertThat(fetches).as("empty fetches within one poll, against the %s heartbeats meanwhile (a client "
                    + "that fetches again only when a heartbeat wakes it makes one or two per heartbeat)", heartbeats)
                    .isGreaterThan(3 * Math.max(1, heartbeats));
            producer.send(new ProducerRecord<>(topic, "arrived".getBytes())).get(30, TimeUnit.SECONDS);

            ConsumerRecords<byte[], byte[]> read = poll.get(150, TimeUnit.SECONDS);
            assertThat(read.count()).as("records the poll returned: the one sent while it waited").isEqualTo(1);
        }
    }

    /** A cumulative metric of {@code consumer} ({@code name} in {@code group}), read while another thread polls. */
    private static double count(KafkaConsumer<?, ?> consumer, String group, String name) {
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            if (metric.getKey().name().equals(name) && metric.getKey().group().equals(group)) {
                return ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + group + " " + name + " among " + consumer.metrics().keySet());
    }

    @Test
    void shouldLeaveTheGroupAndCloseWithoutWaitingOutAHeldFetch(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka);
        KafkaClients clients = new KafkaClients(config);
        String topic = config.topicPrefix() + "idle";
        String group = config.topicPrefix() + "idle-group";
        try (Admin admin = clients.admin("group-polls-test-admin")) {
            new TopicProvisioner(admin).ensure(new TopicSpec(topic, 1, (short) 1, Map.of()));
            KafkaConsumer<byte[], byte[]> consumer = clients.consumer(group, "group-polls-test",
                    new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    GroupPolls.withIdleFetchWait(clients, Map.of()));
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(GroupPolls.IDLE);
                return !consumer.assignment().isEmpty();
            });
            // An empty topic: the next fetch is held by the broker for IDLE_FETCH_WAIT.
            consumer.poll(Duration.ofMillis(300));

            long began = System.nanoTime();
            GroupPolls.leaveAndClose(consumer, "group-polls-test");
            long tookMillis = (System.nanoTime() - began) / 1_000_000;

            assertThat(tookMillis).as("closed while the broker held its fetch for %s",
                    GroupPolls.IDLE_FETCH_WAIT).isLessThan(GroupPolls.IDLE_FETCH_WAIT.toMillis() / 2);
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS).get(group);
            assertThat(described.members()).as("the member left its group, not dropped after its session")
                    .isEmpty();
        }
    }
}
