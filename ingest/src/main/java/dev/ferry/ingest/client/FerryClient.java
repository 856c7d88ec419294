package dev.ferry.ingest.client;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.ingest.internal.Requests;
import dev.ferry.ingest.internal.ResultRouter;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.annotation.InterfaceStability;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Calls Ferry functions straight over Kafka, without the HTTP gateway: it produces {@code InvocationRequest}s to
 * {@code ferry.invocations} and reads the answers from {@code ferry.results}. It needs only the cluster and the
 * schema registry; any Kafka client property (SASL_SSL and the rest) passes through.
 *
 * <pre>{@code
 * try (FerryClient ferry = FerryClient.builder()
 *         .bootstrapServers("broker:9093").schemaRegistryUrl("http://registry:8081")
 *         .kafkaProperty("security.protocol", "SASL_SSL")
 *         .tenant("acme").build()) {
 *     InvocationResult result = ferry.invoke("echo", "hi".getBytes(UTF_8)).get();
 * }
 * }</pre>
 *
 * <p>It creates no topics: the platform's services do, with the operator's partition counts. There is no API key
 * here: on Kafka, who may write {@code ferry.invocations} and read {@code ferry.results}
 * is governed by the cluster's ACLs. It does not read the function directory either: each result says whether it is
 * final ({@code InvocationResult.final}, issue 13 part 1). Thread-safe; create one per process and close it when
 * done.
 */
@InterfaceStability.Evolving
public final class FerryClient implements AutoCloseable {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Only for results from writers that predate {@code InvocationResult.final}: they are judged against the
     * default {@code maxAttempts} of {@code FunctionSpec} (3), as the client no longer knows each function's own.
     */
    private static final int FALLBACK_MAX_ATTEMPTS =
            (Integer) FunctionSpec.getClassSchema().getField("maxAttempts").defaultVal();

    private final String defaultTenant;
    private final Duration resultWait;
    private final TopicCatalog topics;
    private final ResultRouter router;
    private final KafkaProducer<String, InvocationRequest> producer;
    private final ExecutorService callbacks = Executors.newCachedThreadPool(
            DaemonThreads.factory("ferry-client-callbacks"));

    private FerryClient(Builder builder) {
        FerryConfig config = new FerryConfig(builder.settings());
        this.defaultTenant = builder.tenant;
        this.resultWait = builder.resultWait;
        this.topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        AvroSerdes serdes = new AvroSerdes(config);
        String instance = "ferry-client-" + UUID.randomUUID().toString().substring(0, 8);
        this.router = new ResultRouter(clients, topics.results(), serdes.deserializer(InvocationResult.class),
                instance + "-results");
        try {
            router.start(null, null);
            this.producer = clients.producer(instance, new StringSerializer(),
                    serdes.serializer(InvocationRequest.class), Map.of());
        } catch (RuntimeException e) {
            router.close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Invokes a function of the client's tenant and completes with its final result (of the last attempt). */
    public CompletableFuture<InvocationResult> invoke(String function, byte[] payload) {
        return invoke(requireTenant(), function, payload);
    }

    public CompletableFuture<InvocationResult> invoke(String tenant, String function, byte[] payload) {
        return invoke(request(tenant, function, payload).build());
    }

    /**
     * Invokes with a request of your making (see {@link #request}: key, deadline, content type, headers). The
     * future completes with the first result that says it is final (a retried attempt's is not), and with no other:
     * when none comes within the client's {@link Builder#resultWait result wait} it fails with a
     * {@link TimeoutException}, also when retried attempts' results came (its message names the latest). The
     * invocation is then still pending and may yet succeed: read its final result from {@code ferry.results} rather
     * than invoke again.
     */
    public CompletableFuture<InvocationResult> invoke(InvocationRequest request) {
        CompletableFuture<InvocationResult> result = router.expect(request.getTenant(), request.getInvocationId(),
                FALLBACK_MAX_ATTEMPTS, resultWait);
        try {
            producer.send(record(request), (metadata, error) -> {
                if (error != null) {
                    router.forget(request.getTenant(), request.getInvocationId());
                    result.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            // e.g. the registry refused the schema: the request never left, so nobody will answer it
            router.forget(request.getTenant(), request.getInvocationId());
            result.completeExceptionally(e);
        }
        // The caller's callbacks run on the client's pool, never on the thread that reads every result.
        return result.whenCompleteAsync((r, e) -> { }, callbacks);
    }

    /** Submits without waiting for the result; returns the invocation id once Kafka has the request. */
    public String invokeAsync(String function, byte[] payload) {
        return invokeAsync(request(requireTenant(), function, payload).build());
    }

    public String invokeAsync(String tenant, String function, byte[] payload) {
        return invokeAsync(request(tenant, function, payload).build());
    }

    public String invokeAsync(InvocationRequest request) {
        try {
            producer.send(record(request)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return request.getInvocationId();
        } catch (ExecutionException e) {
            throw new FerryException("Cannot submit invocation " + request.getInvocationId() + " of "
                    + request.getTenant() + "/" + request.getFunction() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Timed out submitting invocation " + request.getInvocationId(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted submitting invocation " + request.getInvocationId(), e);
        }
    }

    /** A request with a fresh id and every default filled in; set a key, deadline or content type on it. */
    public InvocationRequest.Builder request(String tenant, String function, byte[] payload) {
        FunctionRef.requireValidName("tenant", tenant);
        FunctionRef.requireValidName("function", function);
        return Requests.newRequest(tenant, function, payload);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        router.close();
        callbacks.shutdown();
    }

    private ProducerRecord<String, InvocationRequest> record(InvocationRequest request) {
        return new ProducerRecord<>(topics.invocations(), Requests.recordKey(request), request);
    }

    private String requireTenant() {
        if (defaultTenant == null) {
            throw new IllegalStateException("No tenant: set one with FerryClient.builder().tenant(...) or pass it");
        }
        return defaultTenant;
    }

    /** Settings of a {@link FerryClient}: where the cluster and registry are, and how to reach them. */
    public static final class Builder {
        private String bootstrapServers;
        private String schemaRegistryUrl;
        private String topicPrefix = FerryConfig.DEFAULT_TOPIC_PREFIX;
        private String tenant;
        private Duration resultWait = Duration.ofSeconds(60);
        private final Map<String, Object> kafkaProperties = new HashMap<>();

        private Builder() {
        }

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder schemaRegistryUrl(String url) {
            this.schemaRegistryUrl = url;
            return this;
        }

        /** The tenant of calls that name none. */
        public Builder tenant(String tenant) {
            this.tenant = FunctionRef.requireValidName("tenant", tenant);
            return this;
        }

        /** The prefix of Ferry's topics, if the platform was started with {@code --topic-prefix}. */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * Any Kafka client property (e.g. {@code security.protocol}, {@code sasl.jaas.config}), passed to every
         * client this one creates and to the registry client, as Confluent's serializer takes them.
         */
        public Builder kafkaProperty(String key, Object value) {
            kafkaProperties.put(key, value);
            return this;
        }

        /**
         * How long to wait for a final result, from the call: 60 s by default, which covers the default
         * {@code timeoutMs} of 30 s plus 30 s for routing, queueing and a retry. Raise it for functions with longer
         * timeouts or several slow attempts.
         */
        public Builder resultWait(Duration wait) {
            this.resultWait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        public FerryClient build() {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
            return new FerryClient(this);
        }

        Map<String, Object> settings() {
            Map<String, Object> settings = new HashMap<>();
            kafkaProperties.forEach((k, v) -> settings.put(FerryConfig.KAFKA_PREFIX + k, v));
            settings.put(FerryConfig.BOOTSTRAP_SERVERS, bootstrapServers);
            settings.put(FerryConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
            settings.put(FerryConfig.TOPIC_PREFIX, topicPrefix);
            return settings;
        }
    }
}
