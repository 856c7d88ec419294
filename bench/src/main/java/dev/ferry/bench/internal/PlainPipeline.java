package dev.ferry.bench.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.KafkaClients;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a user writes instead of Ferry to move an invocation through two hops (issue 16, part 4): plain
 * at-least-once consume→produce loops, no transactions. Each hop polls, produces what each record becomes,
 * {@code flush()}es (waits until Kafka has every record of the batch) and only then commits the batch's offsets
 * with {@code commitSync}: the textbook careful loop, where a crash repeats at most the last batch and loses
 * nothing.
 *
 * <ul>
 *   <li>Hop 1 (the dispatcher's place): one consumer-group member on the input topic; each request is decoded,
 *   re-encoded and spread over the work partitions in turn.</li>
 *   <li>Hop 2 (the worker pool's place), one of {@link Hop2}: {@code replicas} consumer-group members that answer
 *   each record on the polling thread (echo is instant, a user would not add threads), or {@code replicas} share
 *   group members exactly as {@link RawPipeline}'s hop 2 (explicit acknowledgement, {@code record_limit} of
 *   what a worker acquires ahead), which isolates what the share group costs.</li>
 * </ul>
 * Same client defaults ({@link KafkaClients}), serde, registry, partition counts and result codec as Ferry and
 * {@link RawPipeline}; the consumers read committed data like every Ferry consumer.
 */
final class PlainPipeline extends TwoHopBaseline {

    /** What serves the second hop. */
    enum Hop2 {
        /** A consumer group, records answered inline: the plain user's application. */
        CONSUMER_GROUP,
        /**
         * A share group acquiring as a Ferry worker does while its runs are short ({@code record_limit} of
         * {@link TwoHopBaseline#acquirePerPoll} records per poll): how much of the gap is the share group itself.
         */
        SHARE_GROUP,
        /** A share group at the client's acquisition defaults (batches of up to {@code max.poll.records} 500). */
        SHARE_GROUP_BATCHES;

        boolean share() {
            return this != CONSUMER_GROUP;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(PlainPipeline.class);

    PlainPipeline(FerryConfig config, String name, Hop2 hop2, int inputPartitions, int workPartitions, int replicas,
            int concurrency) {
        super(config, name, inputPartitions, workPartitions, concurrency);
        String hop2Group = prefix + "hop2";
        if (hop2.share()) {
            prepareShareGroup(clients, config, hop2Group);
        }
        hop1(prefix + "hop1");
        for (int i = 0; i < replicas; i++) {
            if (hop2.share()) {
                shareHop2(hop2Group, i, hop2 == Hop2.SHARE_GROUP);
            } else {
                groupHop2(hop2Group, i);
            }
        }
    }

    private void hop1(String group) {
        KafkaConsumer<byte[], byte[]> consumer = clients.consumer(group, group, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        KafkaProducer<byte[], byte[]> producer = clients.producer(group, new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of());
        int[] next = {0}; // only the loop's thread counts
        loop(name + "-hop1", Member.of(consumer, input), producer,
                record -> workRecord(record, next[0]++ % workPartitions),
                (records, sent) -> commitAfterFlush(consumer, producer, records, sent));
    }

    private void groupHop2(String group, int index) {
        KafkaConsumer<byte[], byte[]> consumer = clients.consumer(group, group + "-" + index,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
        // Results are what users read: the same codec as Ferry's worker writes them with.
        KafkaProducer<byte[], byte[]> producer = clients.userTopicProducer(group + "-" + index,
                new ByteArraySerializer(), new ByteArraySerializer(), Map.of());
        String worker = "plain#" + index;
        loop(name + "-hop2-" + index, Member.of(consumer, work), producer, record -> echoResult(record, worker),
                (records, sent) -> commitAfterFlush(consumer, producer, records, sent));
    }

    private void shareHop2(String group, int index, boolean recordLimit) {
        Map<String, Object> acquisition = recordLimit ? Map.of(
                ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, acquirePerPoll)
                : Map.of(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        KafkaShareConsumer<byte[], byte[]> consumer = clients.shareConsumer(group, group + "-" + index,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), acquisition);
        KafkaProducer<byte[], byte[]> producer = clients.userTopicProducer(group + "-" + index,
                new ByteArraySerializer(), new ByteArraySerializer(), Map.of());
        String worker = "plain-share#" + index;
        loop(name + "-hop2-" + index, Member.of(consumer, work), producer, record -> echoResult(record, worker),
                (records, sent) -> {
                    producer.flush();
                    AcknowledgeType type = sent.error.get() == null ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE;
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        consumer.acknowledge(record, type);
                    }
                    consumer.commitSync();
                });
    }

    /** A hop's consumer, a consumer group's or a share group's member: what {@link #loop} needs of it. */
    private record Member(Runnable subscribe, Supplier<ConsumerRecords<byte[], byte[]>> poll, Runnable wakeup,
            Runnable close) {

        static Member of(KafkaConsumer<byte[], byte[]> consumer, String topic) {
            return new Member(() -> consumer.subscribe(List.of(topic)), () -> consumer.poll(POLL), consumer::wakeup,
                    consumer::close);
        }

        static Member of(KafkaShareConsumer<byte[], byte[]> consumer, String topic) {
            return new Member(() -> consumer.subscribe(List.of(topic)), () -> consumer.poll(POLL), consumer::wakeup,
                    consumer::close);
        }
    }

    /**
     * Every hop's loop, on a thread of its own until the pipeline stops: poll, send what each record
     * {@code becomes}, then {@code settle} the batch (commit after the flush, or acknowledge); the producer, then the
     * consumer, are closed when it ends.
     */
    private void loop(String thread, Member member, KafkaProducer<byte[], byte[]> producer,
            Function<ConsumerRecord<byte[], byte[]>, ProducerRecord<byte[], byte[]>> becomes,
            BiConsumer<ConsumerRecords<byte[], byte[]>, Sent> settle) {
        start(thread, member.wakeup(), () -> {
            try (producer) {
                member.subscribe().run();
                while (running()) {
                    ConsumerRecords<byte[], byte[]> records = member.poll().get();
                    if (records.isEmpty()) {
                        continue;
                    }
                    Sent sent = new Sent();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        producer.send(becomes.apply(record), sent::completed);
                    }
                    settle.accept(records, sent);
                }
            } finally {
                member.close().run();
            }
        });
    }

    /**
     * The careful user's commit: only once Kafka has every record the batch became. A failed send means the batch
     * is not committed; the consumer goes back to the committed offsets and the batch runs again (at least once).
     */
    private static void commitAfterFlush(KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<byte[], byte[]> producer, ConsumerRecords<byte[], byte[]> records, Sent sent) {
        producer.flush();
        if (sent.error.get() != null) {
            log.warn("A send of the plain pipeline failed; the batch runs again: {}", sent.error.get().toString());
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(records.partitions());
            for (TopicPartition tp : records.partitions()) {
                OffsetAndMetadata offset = committed.get(tp);
                consumer.seek(tp, offset != null ? offset.offset() : records.records(tp).get(0).offset());
            }
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        consumer.commitSync(offsets);
    }

    /** The first failed send of a batch, if any. */
    private static final class Sent {
        final AtomicReference<Exception> error = new AtomicReference<>();

        void completed(Object metadata, Exception e) {
            if (e != null) {
                error.compareAndSet(null, e);
            }
        }
    }
}
