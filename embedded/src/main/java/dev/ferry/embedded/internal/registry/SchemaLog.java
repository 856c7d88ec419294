package dev.ferry.embedded.internal.registry;

import dev.ferry.embedded.internal.TopicReadiness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The registry's durable store: a compacted, single-partition topic. One partition gives one total order of
 * writes, which replaying at start turns back into the same ids, versions and configs.
 */
final class SchemaLog implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String topic;
    private final KafkaProducer<String, String> producer;

    private SchemaLog(String bootstrapServers, String topic, KafkaProducer<String, String> producer) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.producer = producer;
    }

    /** Creates the topic if it does not exist yet and opens it for appends. */
    static SchemaLog open(String bootstrapServers, String topic) {
        ensureTopic(bootstrapServers, topic);
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 2),
                new StringSerializer(), new StringSerializer());
        return new SchemaLog(bootstrapServers, topic, producer);
    }

    /** Writes one record and returns once the broker has it on every in-sync replica. */
    void append(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw RegistryException.storeError("cannot write to " + topic + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw RegistryException.storeError("writing to " + topic + " took longer than " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.storeError("interrupted while writing to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private static void ensureTopic(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            int brokers = admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            NewTopic newTopic = new NewTopic(topic, 1, (short) Math.min(3, brokers))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            TopicReadiness.await(admin, topic, TIMEOUT);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create the schema store topic " + topic + ": " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the schema store topic " + topic, e);
        }
    }

    /** Hands every record stored so far to {@code sink}, in order; returns at the end of the topic. */
    void replay(BiConsumer<String, String> sink) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Replaying " + topic + " did not reach offset " + end
                            + " within " + TIMEOUT);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(record.key(), record.value());
                }
            }
        }
    }
}
