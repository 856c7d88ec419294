package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.autoscaler.AutoscalerService;
import dev.ferry.autoscaler.InProcessActuator;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The autoscaler resizing the worker module's real pools in the same process, as {@code ferry dev} runs them. */
@FerryKafkaTest
// Long (six replicas up, then down to zero); real pools sized in-process down to zero run in CI as LagToZeroIT.
@Tag("system")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WorkerPoolScalingIT {

    @Test
    void shouldScaleRealPoolsOfATwoPartitionQueueFunctionToSixWorkingReplicasAndBackToZero(KafkaFixture kafka)
            throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of(AutoscalerConfig.POLL_MS, 250L,
                AutoscalerConfig.STABILIZATION_MS, 2_000L, AutoscalerConfig.IDLE_MS, 3_000L,
                AutoscalerConfig.STARTUP_MS, 1_000L,
                // Written straight to the work topic, not by the dispatcher, which would wake the pool at zero: the
                // autoscaler notices such records at its quiet check, every 60 s by default.
                AutoscalerConfig.QUIET_CHECK_MS, 500L));
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        AvroSerdes serdes = new AvroSerdes(config);
        FunctionSpec spec = FunctionSpecs.builder("acme", "sleepy", Runtime.JAVA, "sleep")
                .setDelivery(Delivery.QUEUE).setPartitions(2).setMinReplicas(0).setMaxReplicas(6)
                .setTargetLagPerReplica(10).build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        TestFunctions.deploy(config, spec);

        Set<String> succeeded = ConcurrentHashMap.newKeySet();
        Set<String> workers = ConcurrentHashMap.newKeySet();
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        Deserializer<InvocationResult> results = serdes.deserializer(InvocationResult.class);
        try (WorkerContext context = new WorkerContext(config);
                FunctionDirectory directory = new FunctionDirectory(clients, topics,
                        serdes.deserializer(FunctionSpec.class)).start();
                WorkerService service = new WorkerService(context, directory, 0).start();
                WorkerPoolResizer resizer = new WorkerPoolResizer(service, 200);
                AutoscalerService autoscaler = new AutoscalerService(config, new InProcessActuator(resizer),
                        Clock.systemUTC()).start();
                ResultsReader reader = new ResultsReader(clients, topics.results(), r -> {
                    InvocationResult result = results.deserialize(r.topic(), r.headers(), r.value());
                    statuses.merge(result.getStatus() + " " + result.getError() + " " + result.getWorker(), 1,
                            Integer::sum);
                    if (result.getStatus() == InvocationStatus.SUCCEEDED) {
                        succeeded.add(result.getInvocationId());
                        workers.add(result.getWorker());
                    }
                });
                KafkaProducer<String, byte[]> producer = clients.producer("worker-scaling-it",
                        new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        Map.of())) {
            AtomicInteger produced = new AtomicInteger();
            invoke(producer, serdes, topics.work(ref), ref, 600, produced);

            await().atMost(Duration.ofSeconds(60)).until(() -> service.pool(ref).map(p -> p.replicas()).orElse(0) == 6);
            // Members get records a heartbeat or two after joining: keep invocations coming until all six have run some.
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    if (workers.size() >= 6) {
                        return true;
                    }
                    invoke(producer, serdes, topics.work(ref), ref, 30, produced);
                    return false;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                String members;
                try (Admin admin = clients.admin("worker-scaling-it-diagnosis")) {
                    members = admin.describeShareGroups(java.util.List.of(topics.workerGroup(ref))).all()
                            .get(10, TimeUnit.SECONDS).toString();
                }
                throw new AssertionError("results by status, error and worker: " + statuses + "; group: " + members, e);
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> succeeded.size() >= produced.get());
            await().atMost(Duration.ofSeconds(60)).until(() -> service.pool(ref).map(p -> p.replicas()).orElse(-1) == 0);
            assertThat(workers).hasSizeGreaterThanOrEqualTo(6);
        }
    }

    private static void invoke(KafkaProducer<String, byte[]> producer, AvroSerdes serdes, String topic,
            FunctionRef ref, int count, AtomicInteger produced) {
        var serializer = serdes.serializer(InvocationRequest.class);
        for (int i = 0; i < count; i++) {
            InvocationRequest request = InvocationRequest.newBuilder().setInvocationId(UUID.randomUUID().toString())
                    .setTenant(ref.tenant()).setFunction(ref.function())
                    .setPayload(ByteBuffer.wrap("{\"ms\": 30}".getBytes(StandardCharsets.UTF_8)))
                    .setContentType("application/json").setKey(null).setSubmittedAt(Instant.now()).setDeadline(null)
                    .setAttempt(1).setHeaders(Map.of()).build();
            // Keyed by invocation, as the dispatcher spreads keyless invocations: a share group member only gets
            // records of the partitions it is assigned, so one hot partition would feed half the replicas.
            producer.send(new ProducerRecord<>(topic, request.getInvocationId(), serializer.serialize(topic, request)));
        }
        producer.flush();
        produced.addAndGet(count);
    }
}
