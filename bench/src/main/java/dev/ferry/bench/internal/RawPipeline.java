package dev.ferry.bench.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The raw-Kafka baseline of the pipeline: what a hand-written application does to move an invocation through two
 * hops with the same Kafka mechanics as Ferry, and nothing else.
 *
 * <ul>
 *   <li>Hop 1, like the dispatcher: a consumer group on the input topic, one transaction per poll batch holding the
 *   re-encoded requests and the batch's offsets; requests spread over the work partitions in turn.</li>
 *   <li>Hop 2, like a worker pool: {@code replicas} members of a share group (explicit acknowledgement,
 *   {@code record_limit} acquisition of as many records per poll as a worker acquiring ahead, read_committed), each
 *   record's result
 *   written to the result topic and the record acknowledged once Kafka has the result.</li>
 * </ul>
 * Same client defaults (from core's {@link KafkaClients}), same Avro wire-format serde and registry, same partition
 * counts. What it leaves out is Ferry's own work: validation, the function directory, lag-aware routing, the
 * invoker with its timeouts and threads, retries and dead letters.
 */
final class RawPipeline extends TwoHopBaseline {

    private final KafkaProducer<byte[], byte[]> resultProducer;

    RawPipeline(FerryConfig config, int inputPartitions, int workPartitions, int replicas, int concurrency) {
        super(config, "raw", inputPartitions, workPartitions, concurrency);
        String hop2Group = prefix + "hop2";
        prepareShareGroup(clients, config, hop2Group);
        // Results are what users read: the same codec as Ferry's worker writes them with, for a like-for-like hop.
        this.resultProducer = clients.userTopicProducer(prefix + "hop2", new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of());
        hop1(prefix + "hop1");
        for (int i = 0; i < replicas; i++) {
            hop2(hop2Group, i);
        }
    }

    private void hop1(String group) {
        KafkaConsumer<byte[], byte[]> consumer = clients.consumer(group, group, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        KafkaProducer<byte[], byte[]> producer = clients.producer(group, new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group,
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000));
        start("raw-hop1", consumer::wakeup, () -> {
            try (consumer; producer) {
                producer.initTransactions();
                consumer.subscribe(List.of(input));
                int next = 0;
                while (running()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    if (records.isEmpty()) {
                        continue;
                    }
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        producer.send(workRecord(record, next++ % workPartitions));
                        offsets.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                }
            }
        });
    }

    private record Done(ConsumerRecord<byte[], byte[]> record, Exception error) {
    }

    private void hop2(String group, int index) {
        KafkaShareConsumer<byte[], byte[]> consumer = clients.shareConsumer(group, group + "-" + index,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of(
                        ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                        ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, acquirePerPoll));
        String worker = "raw#" + index;
        start("raw-hop2-" + index, consumer::wakeup, () -> {
            try (consumer) {
                consumer.subscribe(List.of(work));
                LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
                while (running()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    int pending = 0;
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        resultProducer.send(echoResult(record, worker),
                                (metadata, error) -> done.add(new Done(record, error)));
                        pending++;
                    }
                    // As a worker does: each record acknowledged as soon as its result is written.
                    while (pending > 0 && running()) {
                        Done next = done.poll(100, TimeUnit.MILLISECONDS);
                        if (next == null) {
                            continue;
                        }
                        do {
                            consumer.acknowledge(next.record(), next.error() == null ? AcknowledgeType.ACCEPT
                                    : AcknowledgeType.RELEASE);
                            pending--;
                        } while ((next = done.poll()) != null);
                        consumer.commitAsync();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void close() {
        super.close();
        resultProducer.close(Duration.ofSeconds(5));
    }
}
