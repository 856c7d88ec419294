package dev.ferry.worker.internal;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.PoolWakeups;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.RecordSize;
import dev.ferry.core.kafka.ResultRecords;
import dev.ferry.core.kafka.Sends;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.runtime.RegistryWatch;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.TriggerStatus;
import dev.ferry.schemas.registry.SchemaRegistryException;
import dev.ferry.schemas.serde.WireFormat;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What every pool of a worker process shares: clients, serdes, the result producer, timers, the retry tiers and
 * the runtimes. One per {@code WorkerContext}; thread-safe.
 */
public final class WorkerResources implements AutoCloseable {

    private final FerryConfig config;
    private final TopicCatalog topics;
    private final KafkaClients clients;
    private final AvroSerdes serdes;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<InvocationResult> resultSerializer;
    private final Serializer<InvocationRequest> requestSerializer;
    private final Deserializer<InvocationRequest> requestDeserializer;
    private final ScheduledExecutorService timers;
    private final Runtimes runtimes;
    private final Backoff backoff;
    private final String workerName;
    private final Clock clock;
    private final PoolWakeups wakeups;
    private final RetryTiers retries;
    private final int maxResultBytes;
    private final AnsweredAttempts answered = new AnsweredAttempts(AnsweredAttempts.DEFAULT_CAPACITY);
    private final UnrunReleases unrunReleases = new UnrunReleases(UnrunReleases.DEFAULT_CAPACITY);
    private final ResultRecords resultRecords;
    private final RegistryWatch registryWatch;

    /** Over the process's runtime: its client factory, topic names and serdes (one registry client, issue 13). */
    public WorkerResources(FerryRuntime runtime, Clock clock) {
        this.config = runtime.config();
        this.clock = clock;
        this.topics = runtime.topics();
        this.clients = runtime.clients();
        this.serdes = runtime.serdes();
        this.wakeups = runtime.wakeups();
        this.registryWatch = runtime.registryWatch();
        this.resultSerializer = serdes.serializer(InvocationResult.class);
        this.requestSerializer = serdes.serializer(InvocationRequest.class);
        this.requestDeserializer = serdes.deserializer(InvocationRequest.class);
        this.workerName = config.worker().workerId().isBlank() ? hostName() : config.worker().workerId();
        this.admin = clients.admin("ferry-worker-admin-" + workerName);
        new TopicProvisioner(admin).ensure(topics.platformTopics().stream()
                .filter(t -> t.name().equals(topics.results()) || t.name().equals(topics.dlq())
                        || t.name().equals(topics.wakeups())).toList());
        this.resultRecords = ResultRecords.of(topics, admin);
        // Results and trigger statuses written without the registry from now on (session 13).
        serdes.prepare(Map.of(topics.results(), InvocationResult.class, topics.triggerStatus(), TriggerStatus.class));
        // Results and dead letters, what users read, are most of what this producer writes: the user codec. A
        // synchronous call waits for its linger once (worker.result.linger.ms, issue 16).
        this.producer = clients.userTopicProducer("ferry-worker-" + workerName, new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.LINGER_MS_CONFIG, config.worker().resultLingerMs()));
        Object producerLimit = clients.producerProperties(null, Map.of()).get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        this.maxResultBytes = Math.min(Integer.parseInt(String.valueOf(producerLimit)),
                config.topics().maxMessageBytes());
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1,
                DaemonThreads.numbered("ferry-worker-timer-"));
        // Every run's timeout is a timer, cancelled when the run ends: left in the queue, a second's 10 000 runs
        // would keep 300 000 cancelled timers (and the outcomes they hold) for the default 30 s (issue 16).
        timerPool.setRemoveOnCancelPolicy(true);
        this.timers = timerPool;
        this.runtimes = new Runtimes(config.worker().processRuntimeEnabled(), runtime.httpEgress(),
                maxResultBytes);
        this.backoff = new Backoff(config.worker().retryBackoffMs(), config.worker().retryBackoffMaxMs());
        this.retries = new RetryTiers(this);
    }

    public FerryConfig config() {
        return config;
    }

    /** The attempts this process answered lately, so a redelivered one is not run again. */
    public AnsweredAttempts answered() {
        return answered;
    }

    /** The records this process released without running them, so their deliveries do not count (issue 16). */
    public UnrunReleases unrunReleases() {
        return unrunReleases;
    }

    public TopicCatalog topics() {
        return topics;
    }

    public KafkaClients clients() {
        return clients;
    }

    public AvroSerdes serdes() {
        return serdes;
    }

    public Admin admin() {
        return admin;
    }

    public TopicProvisioner provisioner() {
        return new TopicProvisioner(admin);
    }

    public ScheduledExecutorService timers() {
        return timers;
    }

    public Runtimes runtimes() {
        return runtimes;
    }

    public Backoff backoff() {
        return backoff;
    }

    public RetryTiers retries() {
        return retries;
    }

    /** This process's wake signal ({@code FerryRuntime.wakeups()}): an autoscaler here listens to it. */
    public PoolWakeups wakeups() {
        return wakeups;
    }

    public Clock clock() {
        return clock;
    }

    /** {@code worker.id}, or the host name: the start of each replica's {@code worker} field. */
    public String workerName() {
        return workerName;
    }

    /**
     * This worker process among those of the cluster, stable across its restarts: {@code worker.id}, or the host name
     * and the management port ({@code web-1-9400}; processes sharing a host cannot share that port). Names
     * what must not be shared by two processes, such as a trigger replica's {@code transactional.id}: with the host
     * alone, a second worker process on the host fenced the first's trigger replicas.
     */
    public String instanceName() {
        if (!config.worker().workerId().isBlank()) {
            return workerName;
        }
        int port = config.management().enabled() ? config.management().port() : 0;
        return port > 0 ? workerName + "-" + port : workerName;
    }

    public int deliveryCountLimit() {
        return config.worker().deliveryCountLimit();
    }

    /**
     * Decodes a work record; never throws, so one bad record cannot stall a partition. A failure of the schema
     * registry (no answer for the record's schema id, {@code SchemaRegistryException.unavailable}) is told to the
     * process's {@link #registryWatch()} and marked {@link Decoded#registryLost()}: the record is not at fault.
     */
    public Decoded decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            InvocationRequest request = requestDeserializer.deserialize(record.topic(), record.headers(),
                    record.value());
            if (request == null) {
                return Decoded.failed(new FerryException("Empty record (null value) at " + where(record)), false);
            }
            return Decoded.of(request);
        } catch (RuntimeException e) {
            boolean registryLost = SchemaRegistryException.unavailable(e);
            if (registryLost) {
                try {
                    // The registry is back for this record once it gives this schema, not just any answer.
                    registryWatch.lostSchema(WireFormat.schemaId(record.topic(), record.value()), e);
                } catch (RuntimeException notWireFormat) {
                    registryWatch.lost(e);
                }
            }
            return Decoded.failed(e, registryLost);
        }
    }

    /**
     * Whether this process's schema registry is lost ({@code FerryRuntime.registryWatch()}): replicas take no record
     * while it is, and the worker's readiness says so.
     */
    public RegistryWatch registryWatch() {
        return registryWatch;
    }

    public byte[] encode(String topic, InvocationRequest request) {
        return requestSerializer.serialize(topic, request);
    }

    /**
     * Writes a result keyed by its invocation id, and its copy on the request's {@code replyTo} (null: none; see
     * {@link ResultRecords}); completes once Kafka acknowledged both. A record over
     * {@link #maxResultBytes()} is not sent: the future fails with a {@link RecordTooLargeException} at once, as
     * the producer or the broker would, but without a round trip and whatever the output compresses to.
     */
    public CompletableFuture<Void> sendResult(InvocationResult result, String replyTo) {
        String topic = topics.results();
        byte[] key = result.getInvocationId().getBytes(StandardCharsets.UTF_8);
        byte[] value = resultSerializer.serialize(topic, result);
        long size = RecordSize.upperBound(key, value, null);
        if (size > maxResultBytes) {
            return CompletableFuture.failedFuture(new RecordTooLargeException("The result of invocation "
                    + result.getInvocationId() + " is about " + size + " bytes, over the limit of " + maxResultBytes
                    + " bytes of " + topic + " (topic.max.message.bytes)"));
        }
        // The result and its copy for the gateway that waits (issue 15): acknowledged together before the work
        // record is, so a crash in between re-runs the attempt rather than leave the gateway without its answer.
        return CompletableFuture.allOf(resultRecords.of(replyTo, key, value, null).stream().map(this::send)
                .toArray(CompletableFuture[]::new));
    }

    /**
     * The largest result record this worker writes: {@code topic.max.message.bytes}, or the producer's
     * {@code max.request.size} if an operator set it lower.
     */
    public int maxResultBytes() {
        return maxResultBytes;
    }

    /** Sends a record; the future completes when Kafka acknowledged it, or exceptionally. */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return Sends.send(producer, record);
    }

    public void flush() {
        producer.flush();
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "worker";
        }
    }

    @Override
    public void close() {
        retries.close();
        timers.shutdownNow();
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(5));
    }
}
