package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.autoscaler.AutoscalerService;
import dev.ferry.autoscaler.InProcessActuator;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import dev.ferry.worker.WorkerContext;
import dev.ferry.worker.WorkerService;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16: a retry parked while its function's pool went to zero comes back to the work topic through the worker's
 * retry forwarder, which no dispatcher sees; the forwarder wakes the pool, so the retry runs although the
 * autoscaler's regular collection and its quiet-pool check come only every ten minutes. Once with the autoscaler
 * in another process (the wakeup travels on {@code ferry.wakeups}), once in the worker's process (told directly).
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RetryWakeupIT {

    /** The only retry tier: every attempt waits 200 ms. */
    private static final long DELAY_MS = 200;

    @Test
    void shouldRunARetryMovedBackToAPoolAtZeroWhenTheAutoscalerRunsInAnotherProcess(KafkaFixture kafka)
            throws Exception {
        FerryConfig config = config(kafka);
        try (FerryRuntime workerProcess = FerryRuntime.create(config);
                FerryRuntime autoscalerProcess = FerryRuntime.create(config)) {
            shouldRunTheRetry(config, workerProcess, autoscalerProcess);
        }
    }

    @Test
    void shouldRunARetryMovedBackToAPoolAtZeroWhenTheAutoscalerRunsInTheWorkersProcess(KafkaFixture kafka)
            throws Exception {
        FerryConfig config = config(kafka);
        try (FerryRuntime process = FerryRuntime.create(config)) {
            shouldRunTheRetry(config, process, process);
        }
    }

    private static FerryConfig config(KafkaFixture kafka) {
        return TestConfigs.isolated(kafka, Map.of(AutoscalerConfig.POLL_MS, 600_000L,
                AutoscalerConfig.QUIET_CHECK_MS, 600_000L, AutoscalerConfig.STARTUP_MS, 1_000L,
                WorkerConfig.RETRY_BACKOFF_MS, DELAY_MS, WorkerConfig.RETRY_BACKOFF_MAX_MS, DELAY_MS));
    }

    private static void shouldRunTheRetry(FerryConfig config, FerryRuntime workerProcess,
            FerryRuntime autoscalerProcess) throws Exception {
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        AvroSerdes serdes = new AvroSerdes(config);
        FunctionSpec spec = FunctionSpecs.builder("acme", "nap", Runtime.JAVA, "sleep").setPartitions(2)
                .setMinReplicas(0).setMaxReplicas(2).build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        TestFunctions.deploy(config, spec);

        Set<String> succeeded = ConcurrentHashMap.newKeySet();
        Deserializer<InvocationResult> results = serdes.deserializer(InvocationResult.class);
        try (WorkerContext context = new WorkerContext(workerProcess);
                FunctionDirectory directory = new FunctionDirectory(clients, topics,
                        serdes.deserializer(FunctionSpec.class)).start();
                WorkerService workers = new WorkerService(context, directory, 0).start();
                WorkerPoolResizer resizer = new WorkerPoolResizer(workers, 200);
                AutoscalerService autoscaler = new AutoscalerService(autoscalerProcess,
                        new InProcessActuator(resizer), Clock.systemUTC()).start();
                ResultsReader reader = new ResultsReader(clients, topics.results(), r -> {
                    InvocationResult result = results.deserialize(r.topic(), r.headers(), r.value());
                    if (result.getStatus() == InvocationStatus.SUCCEEDED) {
                        succeeded.add(result.getInvocationId());
                    }
                })) {
            // Parked as a worker parks a failed attempt: on its delay's tier, naming the work topic to return to.
            InvocationRequest retry = InvocationRequest.newBuilder().setInvocationId(UUID.randomUUID().toString())
                    .setTenant(ref.tenant()).setFunction(ref.function())
                    .setPayload(ByteBuffer.wrap("{\"ms\": 1}".getBytes(StandardCharsets.UTF_8)))
                    .setContentType("application/json").setKey("k").setSubmittedAt(Instant.now())
                    .setDeadline(null).setAttempt(2).setHeaders(Map.of()).build();
            RecordHeaders headers = new RecordHeaders();
            headers.add("ferry.retry.topic", topics.work(ref).getBytes(StandardCharsets.UTF_8));
            headers.add("ferry.retry.partition", "1".getBytes(StandardCharsets.UTF_8));
            try (KafkaProducer<byte[], byte[]> producer = clients.producer("retry-wakeup-it",
                    new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
                producer.send(new ProducerRecord<>(topics.retry(DELAY_MS), null, bytes("k"),
                        serdes.serializer(InvocationRequest.class).serialize(topics.work(ref), retry), headers))
                        .get(30, TimeUnit.SECONDS);
            }
            assertThat(workers.pool(ref).map(p -> p.replicas()).orElse(0)).as("replicas before the retry is due")
                    .isZero();

            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded.contains(retry.getInvocationId()));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
