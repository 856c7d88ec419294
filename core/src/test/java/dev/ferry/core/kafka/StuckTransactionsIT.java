package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.TestConfigs;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watch on a real broker: a transaction left open on {@code ferry.results} holds the partition's last stable
 * offset below its end, which the watch names once it outlasts the patience (1 s here, instead of the platform's
 * 40 s); committed transactions beside it, and the same one once aborted, are not named.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StuckTransactionsIT {

    @Test
    void shouldNameAPartitionAnOpenTransactionHoldsAndForgetItOnceAborted(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka);
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        try (Admin admin = clients.admin("stuck-transactions-admin");
             TailOffsets lookups = TailOffsets.create(config, "stuck-transactions-lookups");
             KafkaProducer<String, String> open = transactional(clients, "stuck-open");
             KafkaProducer<String, String> committed = transactional(clients, "stuck-committed")) {
            new TopicProvisioner(admin).ensure(topics.platformTopic(topics.results()),
                    topics.platformTopic(topics.usage()));
            StuckTransactions watch = new StuckTransactions(lookups::stableAndHighOffsets,
                    Set.of(topics.results(), topics.usage(), config.topicPrefix() + "never-made"),
                    topic -> Duration.ofSeconds(1), Clock.systemUTC());
            committed.beginTransaction();
            committed.send(new ProducerRecord<>(topics.results(), 1, "k", "committed")).get();
            committed.commitTransaction();
            assertThat(watch.problem()).isEmpty();

            open.beginTransaction();
            open.send(new ProducerRecord<>(topics.results(), 0, "k", "left open")).get();
            for (int i = 0; i < 3; i++) {
                committed.beginTransaction();
                committed.send(new ProducerRecord<>(topics.usage(), 0, "k", "committed " + i)).get();
                committed.commitTransaction();
            }
            Optional<String> problem = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(watch::problem, Optional::isPresent);
            assertThat(problem.get()).contains(topics.results() + "-0 at offset").doesNotContain(
                    topics.results() + "-1").doesNotContain(topics.usage());

            open.abortTransaction();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(() -> watch.problem().isEmpty());
        }
    }

    private static KafkaProducer<String, String> transactional(KafkaClients clients, String id) {
        KafkaProducer<String, String> producer = clients.producer(id, new StringSerializer(), new StringSerializer(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id + "-" + System.nanoTime(),
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000));
        producer.initTransactions();
        return producer;
    }
}
