package dev.ferry.dispatcher;

import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One isolated Ferry installation on the shared broker: its own topic prefix (so its own topics and groups), a
 * publisher of functions, producers of invocations and raw bytes, and read_committed readers of its topics.
 */
final class Harness implements AutoCloseable {

    final FerryConfig config;
    final TopicCatalog topics;
    final AvroSerdes serdes;
    final KafkaClients clients;
    private final FunctionPublisher publisher;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    Harness(KafkaFixture kafka) {
        this(kafka, Map.of());
    }

    Harness(KafkaFixture kafka, Map<String, Object> overrides) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "t" + id + ".");
        settings.put(TopicConfig.PARTITIONS, 3);
        settings.put(DispatcherConfig.TRANSACTIONAL_ID, "dispatcher-" + id);
        settings.putAll(overrides);
        this.config = new FerryConfig(settings);
        this.topics = new TopicCatalog(config);
        this.serdes = new AvroSerdes(config);
        this.clients = new KafkaClients(config);
        try (var admin = clients.admin("harness-admin")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics());
        }
        this.publisher = new FunctionPublisher(clients, topics, serdes.serializer(FunctionSpec.class));
        this.producer = clients.producer("harness", new ByteArraySerializer(), new ByteArraySerializer(), Map.of());
    }

    /** A dispatcher of this installation, closed with the harness. */
    Dispatcher dispatcher() {
        return dispatcher(Map.of());
    }

    Dispatcher dispatcher(Map<String, Object> overrides) {
        Dispatcher dispatcher = new Dispatcher(config.with(overrides));
        closeables.add(dispatcher);
        return dispatcher;
    }

    void deploy(FunctionSpec spec) {
        publisher.deploy(spec);
    }

    void remove(FunctionRef ref) {
        publisher.remove(ref);
    }

    /** Sends invocations to ferry.invocations as a client would, keyed tenant/function or by their key. */
    void invoke(InvocationRequest... requests) {
        for (InvocationRequest request : requests) {
            String key = request.getKey() != null ? request.getKey()
                    : request.getTenant() + "/" + request.getFunction();
            send(new ProducerRecord<>(topics.invocations(), utf8(key),
                    serdes.serializer(InvocationRequest.class).serialize(topics.invocations(), request)));
        }
        producer.flush();
    }

    void send(ProducerRecord<byte[], byte[]> record) {
        producer.send(record);
    }

    /** Sends and waits for the ack, to learn where the record landed. */
    RecordMetadata sendAndWait(ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Cannot send to " + record.topic(), e);
        }
    }

    void flush() {
        producer.flush();
    }

    /** Reads {@code topic} from the beginning, read_committed, until {@code count} records were seen. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
        return read(topic, count, Duration.ofSeconds(60));
    }

    List<ConsumerRecord<byte[], byte[]>> read(String topic, int count, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader(topic)) {
            await().atMost(timeout).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.size() >= count;
            });
        }
        return seen;
    }

    /** Every committed record of {@code topic}, read up to its end as it is now. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader(topic)) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        return seen;
    }

    KafkaConsumer<byte[], byte[]> reader(String topic) {
        return reader(topic, Map.of());
    }

    KafkaConsumer<byte[], byte[]> reader(String topic, Map<String, Object> overrides) {
        KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, "harness-reader",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), overrides);
        // A work topic appears when the dispatcher first routes to it.
        List<TopicPartition> partitions = await().atMost(Duration.ofSeconds(60))
                .until(() -> consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList(), list -> !list.isEmpty());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    InvocationRequest request(ConsumerRecord<byte[], byte[]> record) {
        return serdes.deserializer(InvocationRequest.class).deserialize(record.topic(), record.value());
    }

    InvocationResult result(ConsumerRecord<byte[], byte[]> record) {
        return serdes.deserializer(InvocationResult.class).deserialize(record.topic(), record.value());
    }

    /** The results on ferry.results, by invocation id, once {@code count} have arrived. */
    Map<String, InvocationResult> results(int count) {
        return read(topics.results(), count).stream().map(this::result)
                .collect(Collectors.toMap(InvocationResult::getInvocationId, r -> r, (a, b) -> b));
    }

    int partitionCount(String topic) {
        try (var admin = clients.admin("harness-describe")) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (Exception e) {
            throw new AssertionError("Cannot describe " + topic, e);
        }
    }

    static byte[] utf8(String value) {
        return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        publisher.close();
        producer.close(Duration.ofSeconds(5));
    }
}
