package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw-Kafka baseline of the pipeline: what a hand-written application does to move an invocation through two
 * hops with the same Kafka mechanics as Ferry, and nothing else.
 *
 * <ul>
 *   <li>Hop 1, like the dispatcher: a consumer group on the input topic, one transaction per poll batch holding the
 *   re-encoded requests and the batch's offsets; requests spread over the work partitions in turn.</li>
 *   <li>Hop 2, like a worker pool: {@code replicas} members of a share group (explicit acknowledgement,
 *   {@code record_limit} acquisition of {@code concurrency} records per poll, read_committed), each record's result
 *   written to the result topic and the record acknowledged once Kafka has the result.</li>
 * </ul>
 * Same client defaults (from core's {@link KafkaClients}), same Avro wire-format serde and registry, same partition
 * counts. What it leaves out is Ferry's own work: validation, the function directory, lag-aware routing, the
 * invoker with its timeouts and threads, retries and dead letters.
 */
final class RawPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RawPipeline.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String input;
    private final String work;
    private final String output;
    private final int workPartitions;
    private final int concurrency;
    private final KafkaClients clients;
    private final Serializer<InvocationRequest> requestSerializer;
    private final Deserializer<InvocationRequest> requestDeserializer;
    private final Serializer<InvocationResult> resultSerializer;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Runnable> stoppers = new ArrayList<>();
    private final KafkaProducer<byte[], byte[]> resultProducer;
    private volatile boolean running = true;

    RawPipeline(FerryConfig config, int inputPartitions, int workPartitions, int replicas, int concurrency) {
        String prefix = config.topicPrefix() + "raw.";
        this.input = prefix + "invocations";
        this.work = prefix + "work";
        this.output = prefix + "results";
        this.workPartitions = workPartitions;
        this.concurrency = concurrency;
        this.clients = new KafkaClients(config);
        AvroSerdes serdes = new AvroSerdes(config);
        this.requestSerializer = serdes.serializer(InvocationRequest.class);
        this.requestDeserializer = serdes.deserializer(InvocationRequest.class);
        this.resultSerializer = serdes.serializer(InvocationResult.class);
        short rf = (short) config.topics().replicationFactor();
        String hop2Group = prefix + "hop2";
        try (Admin admin = clients.admin(prefix + "admin")) {
            new TopicProvisioner(admin).ensure(new TopicSpec(input, inputPartitions, rf, Map.of()),
                    new TopicSpec(work, workPartitions, rf, Map.of()), new TopicSpec(output, inputPartitions, rf,
                            Map.of()));
            new TopicProvisioner(admin).startShareGroupAtEarliest(hop2Group);
            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, hop2Group);
            admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                    new ConfigEntry("share.isolation.level", "read_committed"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new FerryException("Cannot prepare the raw pipeline's topics and group: " + e, e);
        }
        // Results are what users read: the same codec as Ferry's worker writes them with, for a like-for-like hop.
        this.resultProducer = clients.userTopicProducer(prefix + "hop2", new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of());
        start("raw-hop1", hop1(prefix + "hop1"));
        for (int i = 0; i < replicas; i++) {
            start("raw-hop2-" + i, hop2(hop2Group, i));
        }
    }

    String inputTopic() {
        return input;
    }

    String resultTopic() {
        return output;
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                if (running) {
                    log.error("{} of the raw pipeline failed", name, e);
                }
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private Runnable hop1(String group) {
        KafkaConsumer<byte[], byte[]> consumer = clients.consumer(group, group, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        KafkaProducer<byte[], byte[]> producer = clients.producer(group, new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group,
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000));
        stoppers.add(consumer::wakeup);
        return () -> {
            try (consumer; producer) {
                producer.initTransactions();
                consumer.subscribe(List.of(input));
                int next = 0;
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    if (records.isEmpty()) {
                        continue;
                    }
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(),
                                record.value());
                        byte[] key = request.getInvocationId().getBytes(StandardCharsets.UTF_8);
                        producer.send(new ProducerRecord<>(work, next++ % workPartitions, key,
                                requestSerializer.serialize(work, request), record.headers()));
                        offsets.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                }
            }
        };
    }

    private record Done(ConsumerRecord<byte[], byte[]> record, Exception error) {
    }

    private Runnable hop2(String group, int index) {
        KafkaShareConsumer<byte[], byte[]> consumer = clients.shareConsumer(group, group + "-" + index,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of(
                        ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                        ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, concurrency));
        stoppers.add(consumer::wakeup);
        String worker = "raw#" + index;
        return () -> {
            try (consumer) {
                consumer.subscribe(List.of(work));
                LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    int pending = 0;
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        Instant started = Instant.now();
                        InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(),
                                record.value());
                        InvocationResult result = Invocations.echoResult(request, started, worker);
                        resultProducer.send(new ProducerRecord<>(output,
                                request.getInvocationId().getBytes(StandardCharsets.UTF_8),
                                resultSerializer.serialize(output, result)),
                                (metadata, error) -> done.add(new Done(record, error)));
                        pending++;
                    }
                    // As a worker does: each record acknowledged as soon as its result is written.
                    while (pending > 0 && running) {
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
        };
    }

    @Override
    public void close() {
        running = false;
        stoppers.forEach(Runnable::run);
        for (Thread thread : threads) {
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        resultProducer.close(Duration.ofSeconds(5));
    }
}
