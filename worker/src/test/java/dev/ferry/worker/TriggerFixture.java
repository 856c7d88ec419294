package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerStatus;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One trigger test's world on the real broker, and the steps the trigger ITs take in it: a {@link Harness} (a topic
 * prefix of its own), a {@link TriggerKit}, a {@link WorkerContext} (over a schema registry client of the test's
 * making, if it gives one); user topics read from their start ({@link Sink}), a spec of tenant {@code acme} over
 * one source, a pool of one replica, JSON and Avro source records, and the waits on outputs, on the trigger's group
 * and on a replica's {@code ferry.trigger-status} reports. Every wait is an Awaitility poll, never a sleep.
 */
final class TriggerFixture implements AutoCloseable {

    final KafkaFixture kafka;
    final Harness harness;
    final TriggerKit kit;
    /** The runtime made over the test's registry client; null when none was given (the context owns its own). */
    final FerryRuntime runtime;
    final WorkerContext context;
    private Harness.Results results;
    private Statuses statuses;

    TriggerFixture(KafkaFixture kafka) {
        this(kafka, Map.of(), null);
    }

    /** With configuration {@code overrides}, e.g. a short {@code trigger.status.interval.ms}. */
    TriggerFixture(KafkaFixture kafka, Map<String, Object> overrides) {
        this(kafka, overrides, null);
    }

    /** Over the registry client {@code registry} makes of the harness, e.g. one that fails on the test's cue. */
    TriggerFixture(KafkaFixture kafka, Function<Harness, SchemaRegistryClient> registry) {
        this(kafka, Map.of(), registry);
    }

    private TriggerFixture(KafkaFixture kafka, Map<String, Object> overrides,
            Function<Harness, SchemaRegistryClient> registry) {
        this.kafka = kafka;
        this.harness = new Harness(kafka, overrides);
        this.kit = new TriggerKit(harness, kafka);
        this.runtime = registry == null ? null : FerryRuntime.create(harness.config, registry.apply(harness));
        this.context = runtime == null ? new WorkerContext(harness.config) : new WorkerContext(runtime);
    }

    /** The function the trigger ITs run: {@link EnrichFunction}, which adds {@code "enriched": true}. */
    static FunctionSpec enrich(String tenant, String name, int concurrency, int maxAttempts) {
        return FunctionSpecs.builder(tenant, name, Runtime.JAVA, EnrichFunction.class.getName())
                .setConcurrency(concurrency).setMaxAttempts(maxAttempts).setTimeoutMs(10_000).build();
    }

    /** {@code n} keys {@code k0, k1, ...} cycling through {@code distinct} of them. */
    static List<String> keys(int n, int distinct) {
        return IntStream.range(0, n).mapToObj(i -> "k" + (i % distinct)).toList();
    }

    /** {@code n} JSON values {@code {"n":0}, {"n":1}, ...}. */
    static List<String> values(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"n\":" + i + "}").toList();
    }

    /** The results of {@code function} among {@code results}, in the order they were read. */
    static List<InvocationResult> ofFunction(Harness.Results results, String function) {
        return results.all().stream().filter(r -> r.getFunction().equals(function)).toList();
    }

    /**
     * Exactly one output per source record, none missing, and within each destination partition the outputs of one
     * source partition in increasing source offset.
     */
    static void assertOncePerRecordInOrder(List<ConsumerRecord<byte[], byte[]>> outputs, String source, int count) {
        List<String> sources = outputs.stream().map(TriggerKit::source).toList();
        assertThat(sources).doesNotHaveDuplicates().hasSize(count);
        assertThat(sources).allSatisfy(s -> assertThat(s).startsWith(source + "-"));
        Map<String, Long> last = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> out : outputs) {
            String lane = out.partition() + "/" + TriggerKit.header(out, TriggerRecords.SOURCE_PARTITION);
            long offset = Long.parseLong(TriggerKit.header(out, TriggerRecords.SOURCE_OFFSET));
            assertThat(offset).as("source order within %s", lane).isGreaterThan(last.getOrDefault(lane, -1L));
            last.put(lane, offset);
        }
        Map<String, Long> perPartition = sources.stream().collect(Collectors.groupingBy(
                s -> s.substring(0, s.indexOf('@')), Collectors.counting()));
        assertThat(perPartition.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(count);
    }

    /**
     * Every result on ferry.results, read from its start in the background from the first call on: call it before
     * the pool runs, as a check that does not wait sees only what the reader has had time to read.
     */
    Harness.Results results() {
        if (results == null) {
            results = harness.results();
        }
        return results;
    }

    /** A user topic of this test (see {@link TriggerKit#topic(String, int)}). */
    String topic(String name, int partitions) {
        return kit.topic(name, partitions);
    }

    /** Deletes {@code topic} and waits until the broker has taken the deletion. */
    void deleteTopic(String topic) throws Exception {
        kafka.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }

    /** Makes the user topic {@code name} again once Kafka has finished deleting it (till then making it fails). */
    void awaitRecreated(String name, int partitions) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> topic(name, partitions) != null);
    }

    /** A user topic of one partition, made now and read from its start: a destination or an onFailure. */
    Sink sink(String name) {
        return sink(name, 1, Map.of());
    }

    /** As {@link #sink(String)}, of {@code partitions} and the topic {@code configs} given. */
    Sink sink(String name, int partitions, Map<String, String> configs) {
        String topic = kit.topic(name, partitions, configs);
        return new Sink(topic, kit.read(topic));
    }

    /** A spec of tenant {@code acme} named {@code name}: {@code function} over the JSON records of {@code source}. */
    TriggerSpec.Builder spec(String name, String function, String source) {
        return TriggerSpecs.builder("acme", name, function, List.of(source)).setFormat(RecordFormat.JSON);
    }

    /** As {@link #spec}, starting at the earliest record of {@code source}. */
    TriggerSpec.Builder specFromEarliest(String name, String function, String source) {
        return spec(name, function, source).setStartingPosition(StartingPosition.EARLIEST);
    }

    /** A pool of one replica of {@code spec} running {@code function}. */
    TriggerPool pool(TriggerSpec spec, FunctionSpec function) {
        return new TriggerPool(spec, function, context, 1);
    }

    /** The consumer (or share) group of {@code spec}. */
    String group(TriggerSpec spec) {
        return TriggerSpecs.group(spec, harness.topics);
    }

    /** Whether the group of {@code spec} has committed the end of every partition of each of its sources. */
    boolean caughtUp(TriggerSpec spec) throws Exception {
        for (String source : spec.getTopics()) {
            if (!kit.caughtUp(group(spec), source)) {
                return false;
            }
        }
        return true;
    }

    /** Waits up to {@code atMost} until {@code condition} holds and then the group of {@code spec} is caught up. */
    void awaitCaughtUp(TriggerSpec spec, Duration atMost, Callable<Boolean> condition) {
        await().atMost(atMost).until(() -> condition.call() && caughtUp(spec));
    }

    /** Waits until a replica of {@code spec} has joined its consumer group and has partitions of its sources. */
    void awaitMember(TriggerSpec spec) {
        String group = group(spec);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> kit.member(group)); // none yet: throws
    }

    /** {@link #values(int) values(count)} keyed by {@link #keys(int, int) keys(count, distinct)}, to {@code topic}. */
    void produce(String topic, int count, int distinct) {
        kit.produce(topic, keys(count, distinct), values(count));
    }

    /**
     * {@code count} JSON records {@code {"n":i}} keyed {@code ki} to {@code partition} of {@code topic} (a producer
     * made now sees partitions added since the topic was made).
     */
    void produceTo(String topic, int partition, int count) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "{\"n\":" + i + "}"));
            }
            producer.flush();
        }
    }

    /**
     * One record keyed {@code key} with {@code value} and the Kafka {@code headers} given, in their order (a name may
     * repeat), to partition 0 of {@code topic}.
     */
    void produceWithHeaders(String topic, String key, String value, List<Map.Entry<String, byte[]>> headers) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, key, value);
            headers.forEach(header -> record.headers().add(header.getKey(), header.getValue()));
            producer.send(record);
            producer.flush();
        }
    }

    /** One record with a key of any bytes (an Avro key, say) and {@code value}, to partition 0 of {@code topic}. */
    void produceKeyed(String topic, byte[] key, String value, List<Map.Entry<String, byte[]>> headers) {
        try (KafkaProducer<byte[], String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.ByteArraySerializer(), new StringSerializer())) {
            ProducerRecord<byte[], String> record = new ProducerRecord<>(topic, 0, key, value);
            headers.forEach(header -> record.headers().add(header.getKey(), header.getValue()));
            producer.send(record);
            producer.flush();
        }
    }

    /** Registers {@code schema} under {@code topic}'s value subject ({@code <topic>-value}) and gives its id. */
    int register(String topic, Schema schema) {
        return harness.serdes.registry().register(topic + "-value", schema);
    }

    /** Registers {@code schema} for {@code topic} and produces {@code records} of it in the wire format, in order. */
    void produceAvro(String topic, Schema schema, GenericRecord... records) throws IOException {
        int id = register(topic, schema);
        List<byte[]> values = new ArrayList<>();
        for (GenericRecord record : records) {
            values.add(Harness.wire(id, schema, record));
        }
        kit.produceBytes(topic, values);
    }

    /** A record schema {@code tester.<name>} of one field, {@code id} an int. */
    static Schema idRecord(String name) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":"
                + "\"tester\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
    }

    /** A record of {@link #idRecord} {@code schema} with {@code id}. */
    static GenericRecord withId(Schema schema, int id) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("id", id);
        return record;
    }

    /** The key of the status reports of replica 0 of trigger {@code name} (tenant acme) in this process. */
    String statusKey(String name) {
        return "acme/" + name + "/" + context.workerName() + "#" + name + "#0";
    }

    /**
     * The reports on ferry.trigger-status, read from its start in the background from the first call on; call it
     * once a pool runs (the pool makes the topic).
     */
    Statuses statuses() {
        if (statuses == null) {
            statuses = new Statuses(kit.read(harness.topics.triggerStatus()),
                    harness.serdes.deserializer(TriggerStatus.class));
        }
        return statuses;
    }

    @Override
    public void close() {
        context.close();
        if (runtime != null) {
            runtime.close();
        }
        kit.close();
        harness.close();
    }

    /** The records of a user topic read so far, in the order read, and the topic's name. */
    static final class Sink extends AbstractList<ConsumerRecord<byte[], byte[]>> {
        private final String topic;
        private final List<ConsumerRecord<byte[], byte[]>> records;

        Sink(String topic, List<ConsumerRecord<byte[], byte[]>> records) {
            this.topic = topic;
            this.records = records;
        }

        String topic() {
            return topic;
        }

        @Override
        public ConsumerRecord<byte[], byte[]> get(int index) {
            return records.get(index);
        }

        @Override
        public int size() {
            return records.size();
        }
    }

    /** The trigger status reports read so far, by replica key ({@link #statusKey}). */
    static final class Statuses {
        private final List<ConsumerRecord<byte[], byte[]>> records;
        private final Deserializer<TriggerStatus> deserializer;

        Statuses(List<ConsumerRecord<byte[], byte[]>> records, Deserializer<TriggerStatus> deserializer) {
            this.records = records;
            this.deserializer = deserializer;
        }

        /** The last report of {@code key} that is not a tombstone, or null before the first. */
        TriggerStatus latest(String key) {
            return records.stream()
                    .filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .filter(r -> r.value() != null)
                    .reduce((a, b) -> b)
                    .map(r -> deserializer.deserialize(r.topic(), r.headers(), r.value()))
                    .orElse(null);
        }

        /** Waits up to {@code atMost} until {@code key} has a report and its latest satisfies {@code condition}. */
        void await(String key, Duration atMost, Predicate<TriggerStatus> condition) {
            org.awaitility.Awaitility.await().atMost(atMost).until(() -> latest(key) != null
                    && condition.test(latest(key)));
        }

        /** Whether the last record of {@code key} is a tombstone: the replica said it is gone. */
        boolean cleared(String key) {
            return records.stream()
                    .filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .reduce((a, b) -> b).map(r -> r.value() == null).orElse(false);
        }
    }
}
