package dev.ferry.worker;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the worker's integration tests share: a configuration with its own topic prefix, a producer of
 * invocation requests standing in for the dispatcher, and readers of ferry.results and ferry.dlq.
 */
final class Harness implements AutoCloseable {

    final FerryConfig config;
    final TopicCatalog topics;
    final KafkaClients clients;
    final AvroSerdes serdes;
    private final KafkaFixture kafka;
    private final KafkaProducer<String, InvocationRequest> producer;
    private final List<Reader> readers = new ArrayList<>();

    Harness(KafkaFixture kafka, Map<String, Object> overrides) {
        this.kafka = kafka;
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        settings.put("topic.partitions", 3);
        settings.put("worker.retry.backoff.ms", 100L);
        settings.put("worker.retry.backoff.max.ms", 400L);
        settings.putAll(overrides);
        this.config = new FerryConfig(settings);
        this.topics = new TopicCatalog(config);
        this.clients = new KafkaClients(config);
        this.serdes = new AvroSerdes(config);
        this.producer = clients.producer("test-producer", new StringSerializer(),
                serdes.serializer(InvocationRequest.class), Map.of(ProducerConfig.LINGER_MS_CONFIG, 2));
    }

    Harness(KafkaFixture kafka) {
        this(kafka, Map.of());
    }

    static InvocationRequest request(FunctionRef ref, String payload, String key) {
        return InvocationRequest.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant(ref.tenant())
                .setFunction(ref.function())
                .setPayload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                .setContentType("text/plain")
                .setKey(key)
                .setSubmittedAt(Instant.now())
                .setDeadline(null)
                .setAttempt(1)
                .setHeaders(Map.of())
                .build();
    }

    /** Creates the work topic as the dispatcher would, so requests can be produced before a pool starts. */
    void workTopic(FunctionRef ref, int partitions) {
        new TopicProvisioner(kafka.admin()).ensure(topics.workTopic(ref, partitions));
    }

    /** Produces to the function's work topic, keyed by the request key (or the function key), and flushes. */
    void send(List<InvocationRequest> requests) {
        for (InvocationRequest request : requests) {
            FunctionRef ref = new FunctionRef(request.getTenant(), request.getFunction());
            String key = request.getKey() != null ? request.getKey() : ref.key();
            producer.send(new ProducerRecord<>(topics.work(ref), key, request));
        }
        producer.flush();
    }

    /** Produces requests to the work topic of {@code ref}, whatever function they name, and flushes. */
    void sendTo(FunctionRef ref, List<InvocationRequest> requests) {
        for (InvocationRequest request : requests) {
            producer.send(new ProducerRecord<>(topics.work(ref), ref.key(), request));
        }
        producer.flush();
    }

    /** Produces raw bytes to a work topic, e.g. a record no Avro reader can decode. */
    void sendRaw(FunctionRef ref, byte[] value) {
        sendRaw(topics.work(ref), value);
    }

    /** Produces raw bytes, keyed "poison" and without headers, to any topic. */
    void sendRaw(String topic, byte[] value) {
        try (KafkaProducer<byte[], byte[]> raw = clients.producer("test-raw",
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer(), Map.of())) {
            raw.send(new ProducerRecord<>(topic, "poison".getBytes(StandardCharsets.UTF_8), value));
        }
    }

    /**
     * {@code record} in the wire format of a schema registry's serializers: magic byte 0, the schema {@code id}
     * (4 bytes, big-endian), then the Avro binary encoding of {@code record} by {@code schema}.
     */
    static byte[] wire(int id, Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Sets a group config of a share group, e.g. a short acquisition lock for a crash test. */
    void shareGroupConfig(String group, String key, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        kafka.admin().incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(key, value),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }

    /** Reads ferry.results from the beginning in the background, grouped by invocation id. */
    Results results() {
        Results results = new Results();
        readers.add(new Reader(topics.results(), record -> {
            InvocationResult result = serdes.deserializer(InvocationResult.class).deserialize(record.topic(),
                    record.headers(), record.value());
            results.add(result);
        }));
        return results;
    }

    /** Reads ferry.dlq from the beginning in the background. */
    List<ConsumerRecord<byte[], byte[]>> deadLetters() {
        List<ConsumerRecord<byte[], byte[]>> letters = new CopyOnWriteArrayList<>();
        readers.add(new Reader(topics.dlq(), letters::add));
        return letters;
    }

    /**
     * A reader of every record of {@code topic} from its start into {@code sink}, on its own thread until the caller
     * closes it (the harness does not).
     */
    Reader reader(String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        return new Reader(topic, sink);
    }

    @Override
    public void close() {
        readers.forEach(Reader::close);
        producer.close(Duration.ofSeconds(5));
    }

    /** Results seen so far, by invocation id, in the order they were read. */
    static final class Results {
        private final Map<String, List<InvocationResult>> byId = new ConcurrentHashMap<>();
        private final List<InvocationResult> all = new CopyOnWriteArrayList<>();

        void add(InvocationResult result) {
            byId.computeIfAbsent(result.getInvocationId(), id -> new CopyOnWriteArrayList<>()).add(result);
            all.add(result);
        }

        int count() {
            return all.size();
        }

        List<InvocationResult> all() {
            return List.copyOf(all);
        }

        List<InvocationResult> of(String invocationId) {
            return byId.getOrDefault(invocationId, List.of());
        }

        Map<String, List<InvocationResult>> byId() {
            return Map.copyOf(byId);
        }
    }

    /** A group-less consumer of every partition of a topic, from the beginning, on its own thread. */
    final class Reader implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        Reader(String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
            KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, "test-reader-" + topic,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = new Thread(() -> {
                try (consumer) {
                    while (running) {
                        consumer.poll(Duration.ofMillis(100)).forEach(sink);
                    }
                }
            }, "test-reader-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
