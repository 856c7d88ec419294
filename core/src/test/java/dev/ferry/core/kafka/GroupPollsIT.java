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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GroupPolls#leaveAndClose}: an idle member whose fetch the broker holds for {@link GroupPolls#IDLE_FETCH_WAIT}
 * leaves its group at once and closes without waiting that fetch out. A plain {@code close()} took about 5 s here,
 * on every stop of a dispatcher or an autoscaler (and every test that stopped one waited it out).
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GroupPollsIT {

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
