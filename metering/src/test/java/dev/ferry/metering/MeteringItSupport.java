package dev.ferry.metering;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/** Configurations, producers and a usage reader for the metering integration tests. */
final class MeteringItSupport {

    private MeteringItSupport() {
    }

    /** 1 s windows and grace, so windows close within seconds; a topic prefix of its own. */
    static FerryConfig config(KafkaFixture kafka, int partitions, Map<String, Object> more) {
        Map<String, Object> props = new HashMap<>();
        props.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        props.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        props.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        props.put(TopicConfig.PARTITIONS, partitions);
        props.put(MeteringConfig.WINDOW_MS, 1000L);
        props.put(MeteringConfig.GRACE_MS, 1000L);
        props.put(MeteringConfig.COMMIT_INTERVAL_MS, 100L);
        props.put(MeteringConfig.HTTP_PORT, 0);
        props.putAll(more);
        return new FerryConfig(props);
    }

    /** Streams settings that make a test cluster react in seconds rather than the production minutes. */
    static Map<String, Object> fastStreams() {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 6000);
        props.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 500);
        props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 10_000);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        return props;
    }

    static void createTopics(FerryConfig config) {
        TopicCatalog topics = new TopicCatalog(config);
        try (Admin admin = new KafkaClients(config).admin("metering-it-admin")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics().stream()
                    .filter(t -> List.of(topics.results(), topics.usage(), topics.dlq()).contains(t.name()))
                    .toList());
        }
    }

    static KafkaProducer<String, InvocationResult> resultProducer(FerryConfig config) {
        return new KafkaClients(config).producer("metering-it-results", new StringSerializer(),
                new AvroSerdes(config).serializer(InvocationResult.class), Map.of());
    }

    static void send(KafkaProducer<String, InvocationResult> producer, FerryConfig config, InvocationResult result) {
        producer.send(new ProducerRecord<>(new TopicCatalog(config).results(), result.getInvocationId(), result));
    }

    /** A SUCCEEDED first attempt of {@code function} that ran {@code micros} with {@code memory} MiB. */
    static InvocationResult result(String tenant, String function, long finishedAt, int memory, long micros) {
        return InvocationResult.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant(tenant)
                .setFunction(function)
                .setAttempt(1)
                .setStatus(InvocationStatus.SUCCEEDED)
                .setMemoryMb(memory)
                .setSubmittedAt(Instant.ofEpochMilli(finishedAt - 10))
                .setStartedAt(Instant.ofEpochMilli(finishedAt - 2))
                .setFinishedAt(Instant.ofEpochMilli(finishedAt))
                .setDurationMicros(micros)
                .build();
    }

    /** Follows {@code ferry.usage} with read_committed from the beginning, collecting every record. */
    static final class UsageTail implements AutoCloseable {
        final List<ConsumerRecord<String, UsageRecord>> records = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        UsageTail(FerryConfig config) {
            KafkaConsumer<String, UsageRecord> consumer = new KafkaClients(config).consumer(null, "metering-it-tail",
                    new StringDeserializer(), new AvroSerdes(config).deserializer(UsageRecord.class), Map.of());
            String topic = new TopicCatalog(config).usage();
            consumer.assign(consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            thread = new Thread(() -> {
                try (consumer) {
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                    }
                }
            }, "usage-tail");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }
}
