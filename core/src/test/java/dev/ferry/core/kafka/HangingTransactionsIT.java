package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 10's hanging transactions, made deterministically: a transactional producer writes to a Ferry topic and a
 * user topic and is abandoned with its transaction open, then its coordinator's state is lost (the broker stopped,
 * {@code __transaction_state} removed, the broker started again on the same data), so the partitions hold a
 * transaction that no coordinator will ever end and {@code read_committed} readers stop at it for good.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HangingTransactionsIT {

    private static final String FERRY_TOPIC = "ferry.results";
    private static final String USER_TOPIC = "orders-out";

    @TempDir
    Path dataDir;
    private EmbeddedKafka kafka;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldAbortTransactionsNoCoordinatorRunsAndLeaveLiveOnesAlone() throws Exception {
        int port = freePort();
        kafka = start(port);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(FERRY_TOPIC, 1, (short) 1), new NewTopic(USER_TOPIC, 1,
                    (short) 1), new NewTopic("ferry.live", 1, (short) 1))).all().get();
        }
        KafkaProducer<String, String> crashed = transactional("ferry-trigger.crashed");
        crashed.beginTransaction();
        crashed.send(new ProducerRecord<>(FERRY_TOPIC, "k", "never committed")).get();
        crashed.send(new ProducerRecord<>(USER_TOPIC, "k", "never committed")).get();
        kafka.close();
        kafka = null;
        crashed.close(Duration.ZERO);
        deleteTransactionState();
        kafka = start(port);

        KafkaProducer<String, String> later = transactional("ferry-dispatcher.later");
        later.beginTransaction();
        later.send(new ProducerRecord<>(FERRY_TOPIC, "k", "committed after")).get();
        later.send(new ProducerRecord<>(USER_TOPIC, "k", "committed after")).get();
        later.commitTransaction();
        KafkaProducer<String, String> live = transactional("ferry-trigger.live");
        live.beginTransaction();
        live.send(new ProducerRecord<>("ferry.live", "k", "open while repairing")).get();
        // The partitions really are stuck: their last stable offset stays where the lost transaction began.
        assertThat(readCommitted(FERRY_TOPIC, Duration.ofSeconds(2))).isEmpty();

        HangingTransactions.Report report;
        try (Admin admin = admin()) {
            // Ferry's producers said to time out after 1 ms: every open transaction is old enough, so only its
            // coordinator protects the live one.
            report = new HangingTransactions(admin, topic -> topic.startsWith("ferry."), Duration.ofMillis(1),
                    Clock.systemUTC()).repair(Duration.ofSeconds(60));
            assertThat(openTransactions(admin, new TopicPartition("ferry.live", 0))).hasSize(1);
        }

        assertThat(report.complete()).isTrue();
        assertThat(report.pending()).as("the live transaction, looked at again after its timeout").isPresent();
        assertThat(report.aborted()).extracting(HangingTransactions.Aborted::partition)
                .containsExactlyInAnyOrder(new TopicPartition(FERRY_TOPIC, 0), new TopicPartition(USER_TOPIC, 0));
        assertThat(readCommitted(FERRY_TOPIC, Duration.ofSeconds(30))).containsExactly("committed after");
        assertThat(readCommitted(USER_TOPIC, Duration.ofSeconds(30))).containsExactly("committed after");
        live.send(new ProducerRecord<>("ferry.live", "k", "committed live")).get();
        live.commitTransaction();
        assertThat(readCommitted("ferry.live", Duration.ofSeconds(30)))
                .containsExactly("open while repairing", "committed live");
    }

    private EmbeddedKafka start(int port) {
        return EmbeddedKafka.start(EmbeddedKafka.Options.defaults().dataDir(dataDir).port(port));
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private KafkaProducer<String, String> transactional(String transactionalId) {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                // Long enough that no coordinator aborts it before the broker stops.
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000),
                new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        closeables.add(() -> producer.close(Duration.ZERO));
        return producer;
    }

    /** What a read_committed reader gets from the partition's start, until it has read to the end or gives up. */
    private List<String> readCommitted(String topic, Duration atMost) {
        TopicPartition partition = new TopicPartition(topic, 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long began = System.nanoTime();
            while (System.nanoTime() - began < atMost.toNanos()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                if (!values.isEmpty() && consumer.position(partition) >= endOffset(consumer, partition)) {
                    break;
                }
            }
        }
        return values;
    }

    private static long endOffset(KafkaConsumer<String, String> consumer, TopicPartition partition) {
        return consumer.endOffsets(Set.of(partition)).get(partition);
    }

    private static List<ProducerState> openTransactions(Admin admin, TopicPartition partition) throws Exception {
        return admin.describeProducers(List.of(partition)).partitionResult(partition).get().activeProducers()
                .stream().filter(p -> p.currentTransactionStartOffset().isPresent()).toList();
    }

    private void deleteTransactionState() throws IOException {
        try (Stream<Path> dirs = Files.list(dataDir.resolve("kafka"))) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("__transaction_state-"))
                    .toList()) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
