package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.autoscaler.AutoscalerService;
import dev.ferry.autoscaler.InProcessActuator;
import dev.ferry.autoscaler.ScalingView;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: an ORDERED function never scaled to zero (its group stayed one offset behind per partition: the
 * dispatcher's transaction markers) and a QUEUE function's lag counted each waiting record about twice. After a
 * burst written as the dispatcher writes it (transactions), both functions' lag reaches exactly 0 and both pools,
 * real worker pools sized by the autoscaler in this process, go to zero.
 */
@FerryKafkaTest
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LagToZeroIT {

    @Test
    void shouldReachZeroLagAndScaleToZeroWhenABurstOfTransactionsIsDone(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of(AutoscalerConfig.POLL_MS, 250L,
                AutoscalerConfig.STABILIZATION_MS, 2_000L, AutoscalerConfig.IDLE_MS, 3_000L,
                AutoscalerConfig.STARTUP_MS, 1_000L,
                // Written straight to the work topic, not by the dispatcher, which would wake the pool at zero: the
                // autoscaler notices such records at its quiet check, every 60 s by default.
                AutoscalerConfig.QUIET_CHECK_MS, 500L));
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        AvroSerdes serdes = new AvroSerdes(config);
        FunctionSpec ordered = spec("ledger", Delivery.ORDERED);
        FunctionSpec queued = spec("resize", Delivery.QUEUE);
        List<FunctionSpec> specs = List.of(ordered, queued);
        TestFunctions.deploy(config, ordered, queued);

        Set<String> succeeded = ConcurrentHashMap.newKeySet();
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        Deserializer<InvocationResult> results = serdes.deserializer(InvocationResult.class);
        try (WorkerContext context = new WorkerContext(config);
                FunctionDirectory directory = new FunctionDirectory(clients, topics,
                        serdes.deserializer(FunctionSpec.class)).start();
                WorkerService workers = new WorkerService(context, directory, 0).start();
                WorkerPoolResizer resizer = new WorkerPoolResizer(workers, 200);
                AutoscalerService autoscaler = new AutoscalerService(config, new InProcessActuator(resizer),
                        Clock.systemUTC()).start();
                ResultsReader reader = new ResultsReader(clients, topics.results(), r -> {
                    InvocationResult result = results.deserialize(r.topic(), r.headers(), r.value());
                    statuses.merge(result.getFunction() + " " + result.getStatus() + " " + result.getError(), 1,
                            Integer::sum);
                    if (result.getStatus() == InvocationStatus.SUCCEEDED) {
                        succeeded.add(result.getInvocationId());
                    }
                })) {
            int burst = 0;
            for (FunctionSpec spec : specs) {
                burst += burstInTransactions(clients, serdes, topics, FunctionSpecs.ref(spec), 30);
            }
            int expected = burst;
            ScalingView view = autoscaler.view();

            // Scaled up from zero, every invocation ran (the pools may be back at zero by then: 20 ms each).
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> succeeded.size() >= expected);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(succeeded.size() + " of " + expected + " succeeded; results by status: "
                        + statuses, e);
            }
            // Done: no record is left, so the lag is exactly 0 (not one per partition, not a marker per record)...
            // within one acquisition lock (36 s here): CI once saw the QUEUE group's lag stay above 0 for 30 s after
            // every call had succeeded, as a marker left acquired holds a share partition's start until its lock
            // runs out (kafka-clients 4.3.1; docs/design.md, "QUEUE stalls of one lock duration"). A lag stuck for
            // good, the bug this test is for, still fails.
            await().atMost(Duration.ofSeconds(60)).until(() -> specs.stream().allMatch(s -> view
                    .get(FunctionSpecs.ref(s)).map(v -> v.lag() == 0).orElse(false)));
            // ...and after the idle period both pools go to zero.
            await().atMost(Duration.ofSeconds(60)).until(() -> specs.stream()
                    .allMatch(s -> workers.pool(FunctionSpecs.ref(s)).map(p -> p.replicas() == 0).orElse(false)));
        }
        // What any Kafka tool (kafka-consumer-groups, KEDA) reads: the ORDERED group committed past the markers.
        try (Admin admin = clients.admin("lag-zero-it-offsets")) {
            FunctionRef ref = FunctionSpecs.ref(ordered);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                    topics.workerGroup(ref)).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            assertThat(committed).hasSize(3);
            committed.forEach((tp, offset) -> assertThat(offset.offset()).as("committed offset of %s", tp)
                    .isEqualTo(ends.get(tp).offset()));
        }
    }

    private static FunctionSpec spec(String name, Delivery delivery) {
        return FunctionSpecs.builder("acme", name, Runtime.JAVA, "sleep").setDelivery(delivery).setPartitions(3)
                .setMinReplicas(0).setMaxReplicas(3).setTargetLagPerReplica(5).build();
    }

    /** {@code count} invocations spread over the partitions, one per transaction: each followed by a marker. */
    private static int burstInTransactions(KafkaClients clients, AvroSerdes serdes, TopicCatalog topics,
            FunctionRef ref, int count) {
        String topic = topics.work(ref);
        var serializer = serdes.serializer(InvocationRequest.class);
        try (KafkaProducer<String, byte[]> producer = clients.producer("lag-zero-it", new StringSerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-zero-" + topic))) {
            producer.initTransactions();
            for (int i = 0; i < count; i++) {
                InvocationRequest request = InvocationRequest.newBuilder()
                        .setInvocationId(UUID.randomUUID().toString()).setTenant(ref.tenant())
                        .setFunction(ref.function())
                        .setPayload(ByteBuffer.wrap("{\"ms\": 20}".getBytes(StandardCharsets.UTF_8)))
                        .setContentType("application/json").setKey("k" + i).setSubmittedAt(Instant.now())
                        .setDeadline(null).setAttempt(1).setHeaders(Map.of()).build();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, i % 3, request.getKey(),
                        serializer.serialize(topic, request)));
                producer.commitTransaction();
            }
        }
        return count;
    }
}
