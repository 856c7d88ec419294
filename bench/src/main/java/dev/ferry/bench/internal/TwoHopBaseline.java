package dev.ferry.bench.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.functions.WorkProvisioner;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hand-written two-hop baselines of {@code pipeline-throughput} share ({@link RawPipeline},
 * {@link PlainPipeline}): an input, a work and a result topic under their own prefix, the same client factory and
 * Avro serde as Ferry, the echo each second hop answers with, and the hop threads, woken and joined on close. A
 * subclass prepares its groups and starts its hops in its constructor.
 */
abstract class TwoHopBaseline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwoHopBaseline.class);
    static final Duration POLL = Duration.ofMillis(200);
    /** {@code FunctionSpec.timeoutMs}'s default, which the bench's echo keeps. */
    private static final int ECHO_TIMEOUT_MS = 30_000;

    final String name;
    final FerryConfig config;
    final String prefix;
    final String input;
    final String work;
    final String output;
    final int workPartitions;
    final int concurrency;
    /**
     * Records a share-group hop 2 acquires per poll: what a Ferry worker replica acquires while its runs are short
     * (an echo always is), {@code worker.queue.acquire.factor} × {@code concurrency}.
     */
    final int acquirePerPoll;
    final KafkaClients clients;
    final Serializer<InvocationRequest> requestSerializer;
    final Deserializer<InvocationRequest> requestDeserializer;
    final Serializer<InvocationResult> resultSerializer;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Runnable> stoppers = new ArrayList<>();
    private volatile boolean running = true;

    /** Creates the three topics under {@code <topic prefix><name>.}. */
    TwoHopBaseline(FerryConfig config, String name, int inputPartitions, int workPartitions, int concurrency) {
        this.name = name;
        this.config = config;
        this.prefix = config.topicPrefix() + name + ".";
        this.input = prefix + "invocations";
        this.work = prefix + "work";
        this.output = prefix + "results";
        this.workPartitions = workPartitions;
        this.concurrency = concurrency;
        this.acquirePerPoll = config.worker().queueAcquireAheadRecords(concurrency);
        this.clients = new KafkaClients(config);
        AvroSerdes serdes = new AvroSerdes(config);
        this.requestSerializer = serdes.serializer(InvocationRequest.class);
        this.requestDeserializer = serdes.deserializer(InvocationRequest.class);
        this.resultSerializer = serdes.serializer(InvocationResult.class);
        short rf = (short) config.topics().replicationFactor();
        try (Admin admin = clients.admin(prefix + "admin")) {
            new TopicProvisioner(admin).ensure(new TopicSpec(input, inputPartitions, rf, Map.of()),
                    new TopicSpec(work, workPartitions, rf, Map.of()),
                    new TopicSpec(output, inputPartitions, rf, Map.of()));
        }
    }

    String inputTopic() {
        return input;
    }

    String resultTopic() {
        return output;
    }

    boolean running() {
        return running;
    }

    /**
     * Share group {@code group} prepared as a Ferry worker's is, by the same code ({@link WorkProvisioner}): from the
     * earliest record, committed records only, the lock of a call of the bench's echo ({@code timeoutMs} left at
     * its default).
     */
    static void prepareShareGroup(KafkaClients clients, FerryConfig config, String group) {
        try (Admin admin = clients.admin(group + "-admin")) {
            new WorkProvisioner(admin, new TopicCatalog(config)).prepareShareGroup(group, ECHO_TIMEOUT_MS);
        }
    }

    /** Runs {@code body} on a daemon thread named {@code thread}; {@code stop} wakes it when the baseline closes. */
    void start(String thread, Runnable stop, Runnable body) {
        stoppers.add(stop);
        Thread started = new Thread(() -> {
            try {
                body.run();
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                if (running) {
                    log.error("{} of the {} pipeline failed", thread, name, e);
                }
            }
        }, thread);
        started.setDaemon(true);
        threads.add(started);
        started.start();
    }

    /** The echo result of a work record, as the second hop writes it to the result topic. */
    ProducerRecord<byte[], byte[]> echoResult(ConsumerRecord<byte[], byte[]> record, String worker) {
        Instant started = Instant.now();
        InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(), record.value());
        InvocationResult result = Invocations.echoResult(request, started, worker);
        return new ProducerRecord<>(output, request.getInvocationId().getBytes(StandardCharsets.UTF_8),
                resultSerializer.serialize(output, result));
    }

    /** A request re-encoded for the work topic, keyed by its invocation id, on {@code partition}. */
    ProducerRecord<byte[], byte[]> workRecord(ConsumerRecord<byte[], byte[]> record, int partition) {
        InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(), record.value());
        byte[] key = request.getInvocationId().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(work, partition, key, requestSerializer.serialize(work, request),
                record.headers());
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
    }
}
