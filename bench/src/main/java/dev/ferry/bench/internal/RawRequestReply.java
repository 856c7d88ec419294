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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The raw-Kafka baseline of a synchronous call: the caller produces a request and waits; a responder in a consumer
 * group consumes it and produces the echo reply; the caller's reply reader (all partitions assigned, no group)
 * completes the waiting call. One hop each way, the same client defaults and Avro serde as Ferry.
 *
 * <p>{@link #shareGroup} builds the same round trip with the responder in a share group (KIP-932) instead, read as
 * Ferry's worker reads (explicit acknowledgement, {@code record_limit} acquisition of at most {@code concurrency}
 * records, read_committed, each record acknowledged once its reply is written, the next poll after the batch is
 * settled): what the share group itself costs a round trip, beside the consumer-group baseline (issue 16, part 3).
 */
final class RawRequestReply implements AutoCloseable {

    /** The linger of the gateway's request producer ({@code Gateway}). */
    private static final int GATEWAY_LINGER_MS = 1;

    private final String requests;
    private final String replies;
    private final KafkaProducer<byte[], byte[]> callerProducer;
    private final KafkaProducer<byte[], byte[]> responderProducer;
    private final KafkaConsumer<byte[], byte[]> responderConsumer;
    private final KafkaShareConsumer<byte[], byte[]> responderShareConsumer;
    private final KafkaConsumer<byte[], byte[]> replyReader;
    private final Serializer<InvocationRequest> requestSerializer;
    private final Deserializer<InvocationRequest> requestDeserializer;
    private final Serializer<InvocationResult> resultSerializer;
    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final Thread responder;
    private final Thread reader;
    private volatile boolean running = true;

    RawRequestReply(FerryConfig config, int partitions) {
        this(config, partitions, 0);
    }

    /** The round trip with a share-group responder acquiring at most {@code concurrency} records per poll. */
    static RawRequestReply shareGroup(FerryConfig config, int partitions, int concurrency) {
        return new RawRequestReply(config, partitions, concurrency);
    }

    private RawRequestReply(FerryConfig config, int partitions, int shareConcurrency) {
        String prefix = config.topicPrefix() + (shareConcurrency > 0 ? "raw-share." : "raw.");
        this.requests = prefix + "requests";
        this.replies = prefix + "replies";
        KafkaClients clients = new KafkaClients(config);
        try (Admin admin = clients.admin(prefix + "admin")) {
            short rf = config.topics().replicationFactor();
            new TopicProvisioner(admin).ensure(new TopicSpec(requests, partitions, rf, Map.of()),
                    new TopicSpec(replies, partitions, rf, Map.of()));
        }
        AvroSerdes serdes = new AvroSerdes(config);
        this.requestSerializer = serdes.serializer(InvocationRequest.class);
        this.requestDeserializer = serdes.deserializer(InvocationRequest.class);
        this.resultSerializer = serdes.serializer(InvocationResult.class);
        // Each producer lingers as the Ferry producer it stands for: the caller as the gateway's, the responder as
        // the worker's result producer (worker.result.linger.ms), so no side wins by its batching settings.
        this.callerProducer = clients.producer(prefix + "caller", new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.LINGER_MS_CONFIG, GATEWAY_LINGER_MS));
        // Replies stand for Ferry's results, which users read: the same codec as the worker's.
        this.responderProducer = clients.userTopicProducer(prefix + "responder", new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.LINGER_MS_CONFIG, config.worker().resultLingerMs()));
        if (shareConcurrency > 0) {
            String group = prefix + "responder";
            TwoHopBaseline.prepareShareGroup(clients, config, group);
            this.responderConsumer = null;
            this.responderShareConsumer = clients.shareConsumer(group, group, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer(), Map.of(
                            ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                            ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, shareConcurrency));
        } else {
            this.responderConsumer = clients.consumer(prefix + "responder", prefix + "responder",
                    new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
            this.responderShareConsumer = null;
        }
        this.replyReader = clients.consumer(null, prefix + "replies", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        List<TopicPartition> replyPartitions = replyReader.partitionsFor(replies, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(replies, p.partition())).toList();
        replyReader.assign(replyPartitions);
        replyReader.seekToEnd(replyPartitions);
        replyPartitions.forEach(replyReader::position);
        this.responder = daemon("raw-responder", shareConcurrency > 0 ? this::respondInShareGroup : this::respond);
        this.reader = daemon("raw-reply-reader", this::readReplies);
    }

    /** One synchronous call: returns when its reply is read. */
    void call() throws Exception {
        String id = Invocations.newId();
        CompletableFuture<Void> reply = new CompletableFuture<>();
        waiting.put(id, reply);
        try {
            callerProducer.send(new ProducerRecord<>(requests, id.getBytes(StandardCharsets.UTF_8),
                    requestSerializer.serialize(requests, Invocations.request(id))));
            reply.get(30, TimeUnit.SECONDS);
        } finally {
            waiting.remove(id);
        }
    }

    private void respond() {
        responderConsumer.subscribe(List.of(requests));
        while (running) {
            var records = responderConsumer.poll(Duration.ofMillis(100));
            for (ConsumerRecord<byte[], byte[]> record : records) {
                Instant started = Instant.now();
                InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(),
                        record.value());
                InvocationResult result = Invocations.echoResult(request, started, "raw-responder");
                responderProducer.send(new ProducerRecord<>(replies, record.key(),
                        resultSerializer.serialize(replies, result)));
            }
            if (!records.isEmpty()) {
                responderConsumer.commitAsync();
            }
        }
    }

    private void respondInShareGroup() {
        responderShareConsumer.subscribe(List.of(requests));
        while (running) {
            var records = responderShareConsumer.poll(Duration.ofMillis(100));
            List<CompletableFuture<Void>> written = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                Instant started = Instant.now();
                InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(),
                        record.value());
                InvocationResult result = Invocations.echoResult(request, started, "raw-share-responder");
                CompletableFuture<Void> acked = new CompletableFuture<>();
                responderProducer.send(new ProducerRecord<>(replies, record.key(),
                        resultSerializer.serialize(replies, result)), (metadata, error) -> acked.complete(null));
                written.add(acked);
            }
            // As the worker does: a record is acknowledged once its reply is written.
            CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).join();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                responderShareConsumer.acknowledge(record, AcknowledgeType.ACCEPT);
            }
            if (!records.isEmpty()) {
                responderShareConsumer.commitAsync();
            }
        }
    }

    private void readReplies() {
        while (running) {
            for (ConsumerRecord<byte[], byte[]> record : replyReader.poll(Duration.ofMillis(100))) {
                CompletableFuture<Void> call = waiting.get(new String(record.key(), StandardCharsets.UTF_8));
                if (call != null) {
                    call.complete(null);
                }
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (WakeupException e) {
                // closing
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void close() {
        running = false;
        if (responderConsumer != null) {
            responderConsumer.wakeup();
        } else {
            responderShareConsumer.wakeup();
        }
        replyReader.wakeup();
        join(responder);
        join(reader);
        if (responderConsumer != null) {
            responderConsumer.close(Duration.ofSeconds(5));
        } else {
            responderShareConsumer.close(Duration.ofSeconds(5));
        }
        replyReader.close(Duration.ofSeconds(5));
        callerProducer.close(Duration.ofSeconds(5));
        responderProducer.close(Duration.ofSeconds(5));
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted closing the raw request/reply baseline", e);
        }
    }
}
