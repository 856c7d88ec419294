package dev.ferry.worker;

import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.internal.trigger.BatchRunner;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the trigger ITs share: user topics made as a user (or the gateway) would, a plain producer of source
 * records, read-committed readers of destinations, and the trigger group's committed offsets.
 */
final class TriggerKit implements AutoCloseable {

    private final Harness harness;
    private final KafkaFixture kafka;
    private final List<Harness.Reader> readers = new CopyOnWriteArrayList<>();

    TriggerKit(Harness harness, KafkaFixture kafka) {
        this.harness = harness;
        this.kafka = kafka;
    }

    /** A user topic under the test's prefix (so tests never share one). */
    String topic(String name, int partitions) {
        return topic(name, partitions, Map.of());
    }

    /** A user's topic with {@code configs} of its own, e.g. a {@code compression.type}. */
    String topic(String name, int partitions, Map<String, String> configs) {
        String topic = userTopic(harness, name);
        new TopicProvisioner(kafka.admin()).ensure(new TopicSpec(topic, partitions, (short) 1, configs));
        return topic;
    }

    /**
     * A user's topic of this run: unique to the run, and outside every name the platform reserves (a trigger may not
     * use {@code <topic prefix>...}, see {@code TopicCatalog.reservation}).
     */
    static String userTopic(Harness harness, String name) {
        return "user." + harness.config.topicPrefix() + name;
    }

    /** Produces {@code values} keyed by {@code keys} (same index) with a plain producer, then flushes. */
    void produce(String topic, List<String> keys, List<String> values) {
        produce(topic, keys, values, null);
    }

    /** As {@link #produce(String, List, List)}, every record stamped {@code timestamp} (null: now). */
    void produce(String topic, List<String> keys, List<String> values, Long timestamp) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, null, timestamp, keys.get(i), values.get(i)));
            }
            producer.flush();
        }
    }

    /** Produces {@code values} as they are (no key), in order, with a plain producer, then flushes. */
    void produceBytes(String topic, List<byte[]> values) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
    }

    /** Every record of {@code topic} from the beginning, read committed, collected in the background. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new CopyOnWriteArrayList<>();
        readers.add(harness.reader(topic, records::add));
        return records;
    }

    /** Whether the group has committed the end of every partition of {@code topic}: it consumed everything. */
    boolean caughtUp(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        int partitions = kafka.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = kafka.admin().listOffsets(request).all()
                .get(10, TimeUnit.SECONDS);
        return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0 || (committed.get(e.getKey()) != null
                && committed.get(e.getKey()).offset() >= e.getValue().offset()));
    }

    /** The invocation id of a run of {@code size} records from {@code topic-partition@offset}, as the worker makes it. */
    String invocationId(TriggerSpec spec, String topic, int partition, long offset, int size) throws Exception {
        Uuid topicId = kafka.admin().describeTopics(List.of(topic)).topicNameValues().get(topic)
                .get(10, TimeUnit.SECONDS).topicId();
        return BatchRunner.invocationId(spec, TriggerSpecs.group(spec, harness.topics), topicId,
                new ConsumerRecord<>(topic, partition, offset, null, null), size);
    }

    /** Whether {@code group} has a member with partitions assigned: a replica has joined and reads. */
    boolean member(String group) throws Exception {
        return kafka.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group)
                .get(10, TimeUnit.SECONDS).members().stream()
                .anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name);
    }

    /** The source coordinates an output or failure names: {@code topic-partition@offset}. */
    static String source(ConsumerRecord<byte[], byte[]> record) {
        return header(record, TriggerRecords.SOURCE_TOPIC) + "-" + header(record, TriggerRecords.SOURCE_PARTITION)
                + "@" + header(record, TriggerRecords.SOURCE_OFFSET);
    }

    static String value(ConsumerRecord<byte[], byte[]> record) {
        return record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        readers.forEach(Harness.Reader::close);
    }
}
