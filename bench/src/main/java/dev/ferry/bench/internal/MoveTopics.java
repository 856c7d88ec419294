package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The user topics of {@code trigger-throughput} and what the scenario reads from them: small JSON records
 * ({@code {"seq":17,"sensor":"s-17","reading":21.5}}, about 45 bytes, keyed by sensor), the source's end, a group's
 * committed offsets, and every committed record of a destination with its append time.
 */
final class MoveTopics implements AutoCloseable {

    static final int PARTITIONS = 6;
    static final int SENSORS = 64;
    private static final byte[] SEQ_PREFIX = "{\"seq\":".getBytes(StandardCharsets.UTF_8);

    private final KafkaClients clients;
    private final short replicationFactor;
    private final Admin admin;

    MoveTopics(KafkaClients clients, int replicationFactor) {
        this.clients = clients;
        this.replicationFactor = (short) replicationFactor;
        this.admin = clients.admin("bench-trigger-admin");
    }

    /**
     * Creates {@code PARTITIONS}-partition topics; with {@code logAppendTime} each record's timestamp is the
     * broker's append time ({@code message.timestamp.type=LogAppendTime}), which the latency is computed from.
     */
    void create(boolean logAppendTime, String... names) {
        create(logAppendTime, null, List.of(names));
    }

    /**
     * As {@link #create(boolean, String...)}, with the topics' {@code compression.type} set to {@code codec}
     * ({@code uncompressed}, {@code gzip}, ...); null leaves it to producers (Kafka's default, {@code producer}).
     */
    void create(boolean logAppendTime, String codec, List<String> names) {
        Map<String, String> configs = new HashMap<>();
        if (logAppendTime) {
            configs.put("message.timestamp.type", "LogAppendTime");
        }
        if (codec != null) {
            configs.put("compression.type", codec);
        }
        List<TopicSpec> specs = new ArrayList<>();
        for (String name : names) {
            specs.add(new TopicSpec(name, PARTITIONS, replicationFactor, configs));
        }
        new TopicProvisioner(admin).ensure(specs);
    }

    static byte[] key(long seq) {
        return ("s-" + seq % SENSORS).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(long seq) {
        return ("{\"seq\":" + seq + ",\"sensor\":\"s-" + seq % SENSORS + "\",\"reading\":" + (seq % 400) / 10.0
                + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code seq} of a record {@link #value} wrote (the echo's output is its input); -1 if it has none. */
    static long seq(byte[] value) {
        if (value == null || value.length <= SEQ_PREFIX.length) {
            return -1;
        }
        for (int i = 0; i < SEQ_PREFIX.length; i++) {
            if (value[i] != SEQ_PREFIX[i]) {
                return -1;
            }
        }
        long seq = 0;
        int i = SEQ_PREFIX.length;
        boolean negative = value[i] == '-';
        if (negative) {
            i++;
        }
        for (; i < value.length && value[i] >= '0' && value[i] <= '9'; i++) {
            seq = seq * 10 + (value[i] - '0');
        }
        return negative ? -seq : seq;
    }

    /** Writes records 0..n-1 as fast as the producer goes; returns how many records the topic holds. */
    long fill(KafkaProducer<byte[], byte[]> producer, String topic, int n) throws Exception {
        Future<?> last = null;
        for (int i = 0; i < n; i++) {
            last = producer.send(new ProducerRecord<>(topic, key(i), value(i)));
        }
        producer.flush();
        try {
            last.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while filling " + topic, e);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot fill " + topic + ": " + e.getCause(), e.getCause());
        }
        return endOffsets(topic);
    }

    /** The sum of the topic's end offsets (its last stable offsets, as read_committed readers see them). */
    long endOffsets(String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                .sum();
    }

    /** The sum of {@code group}'s committed offsets on {@code topic}; 0 before it committed any. */
    long committed(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    /** A destination record as a reader sees it: its {@code seq} and its timestamp (the append time, ms). */
    record Output(long seq, long timestamp) {
    }

    /**
     * Every committed record of {@code topic} from its beginning to its current last stable offsets.
     *
     * @throws FerryException when the end is not reached within {@code timeout}
     */
    List<Output> readAll(String topic, Duration timeout) {
        List<Output> outputs = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader("bench-trigger-read")) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ends.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new FerryException("Could not read " + topic + " to its end within " + timeout.toSeconds()
                            + " s: " + outputs.size() + " records read");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    outputs.add(new Output(seq(record.value()), record.timestamp()));
                }
                ends.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            }
        }
        return outputs;
    }

    private KafkaConsumer<byte[], byte[]> reader(String clientId) {
        return clients.consumer(null, clientId, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of("max.poll.records", 5_000));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
