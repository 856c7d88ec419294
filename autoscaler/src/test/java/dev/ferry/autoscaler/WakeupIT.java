package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16, part 2, with the dispatcher in another process: the work and its wakeup on {@code ferry.wakeups} are
 * written in one transaction, as the dispatcher writes them, and the pool at zero gets its replica although the
 * autoscaler's regular collection and its quiet-pool check come only every ten minutes.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WakeupIT {

    private static final Map<String, Object> NO_POLL = Map.of(
            AutoscalerConfig.POLL_MS, 600_000L,
            AutoscalerConfig.QUIET_CHECK_MS, 600_000L);

    @Test
    void shouldStartAPoolAtZeroOnAWakeupWithoutWaitingForTheNextCollection(KafkaFixture kafka) throws Exception {
        TestCluster cluster = TestCluster.isolated(kafka, NO_POLL);
        FunctionSpec spec = TestCluster.queue("sleepy", "echo")
                .setPartitions(2).setMinReplicas(0).setMaxReplicas(3).build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        try (Admin admin = cluster.clients().admin("wakeup-it")) {
            new TopicProvisioner(admin).ensure(cluster.topics().platformTopics());
        }

        try (FakePools pools = cluster.pools(1);
                AutoscalerService service = cluster.autoscaler(pools)) {
            // Deployed after the autoscaler's first (and, within this test, only) collection.
            try (FunctionPublisher publisher = cluster.publisher()) {
                publisher.deploy(spec);
            }
            try (Admin admin = cluster.clients().admin("wakeup-it")) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                        .as("the work topic exists at deploy, before any call")
                        .contains(cluster.topics().work(ref));
            }
            assertThat(pools.size(ref)).isZero();

            try (KafkaProducer<byte[], byte[]> producer = cluster.clients().producer("wakeup-it",
                    new ByteArraySerializer(), new ByteArraySerializer(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                            "wakeup-it-" + UUID.randomUUID()))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(cluster.topics().work(ref), 0, bytes("k"), bytes("{\"ms\":1}")));
                producer.send(new ProducerRecord<>(cluster.topics().wakeups(), bytes(ref.key()), new byte[0]));
                producer.commitTransaction();
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> pools.size(ref) == 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> pools.done(ref) == 1);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
