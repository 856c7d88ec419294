package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerPublisher;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.ScalingDecision;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14: the autoscaler sizes a trigger's pool from its group's lag on the source topics, at most the source
 * partition count for PARTITION (and KEY), beyond it for NONE; what an operator sees on ferry.lag and ferry.scaling.
 * No trigger runtime: a plain consumer in the trigger's group commits where a replica would have got to.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TriggerScalingIT {

    /** One record per transaction, so a commit marker follows every record: offsets are twice the records. */
    private static final int RECORDS_PER_PARTITION = 10;

    /** What a resizer in this process was told, in order: {@code trigger acme/orders=4}, {@code function ...=n}. */
    private static final class Resizes implements PoolResizer {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void resize(FunctionRef ref, int replicas) {
            calls.add("function " + ref + "=" + replicas);
        }

        @Override
        public void resize(TriggerRef ref, int replicas) {
            calls.add("trigger " + ref + "=" + replicas);
        }

        Optional<String> last(String pool) {
            return calls.stream().filter(c -> c.startsWith(pool + "=")).reduce((a, b) -> b);
        }
    }

    /** Every record of ferry.lag and ferry.scaling from the beginning, by key; a tombstone as a null value. */
    private static final class Operator implements AutoCloseable {
        final List<Map.Entry<String, LagSample>> samples = new CopyOnWriteArrayList<>();
        final List<Map.Entry<String, Optional<ScalingDecision>>> decisions = new CopyOnWriteArrayList<>();
        private final TopicTail lag;
        private final TopicTail scaling;

        Operator(FerryConfig config, KafkaClients clients, TopicCatalog topics) {
            AvroSerdes serdes = new AvroSerdes(config);
            var sampleReader = serdes.deserializer(LagSample.class);
            var decisionReader = serdes.deserializer(ScalingDecision.class);
            lag = TopicTail.builder(clients, topics.lag(), r -> samples.add(Map.entry(key(r.key()),
                    sampleReader.deserialize(r.topic(), r.headers(), r.value())))).name("it-operator-lag")
                    .from(TopicTail.Start.beginning()).build().start();
            scaling = TopicTail.builder(clients, topics.scaling(), r -> decisions.add(Map.entry(key(r.key()),
                    Optional.ofNullable(r.value() == null ? null
                            : decisionReader.deserialize(r.topic(), r.headers(), r.value())))))
                    .name("it-operator-scaling").from(TopicTail.Start.beginning()).build().start();
        }

        List<ScalingDecision> decisions(String key) {
            return decisions.stream().filter(e -> e.getKey().equals(key) && e.getValue().isPresent())
                    .map(e -> e.getValue().get()).toList();
        }

        boolean tombstoned(String key) {
            return decisions.stream().anyMatch(e -> e.getKey().equals(key) && e.getValue().isEmpty());
        }

        Optional<LagSample> latestSample(String key) {
            return samples.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue)
                    .reduce((a, b) -> b);
        }

        private static String key(byte[] key) {
            return new String(key, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            lag.close();
            scaling.close();
        }
    }

    @Test
    void shouldCapAPartitionTriggersPoolAtItsFourSourcePartitionsAndStopItWhenTheTriggerGoes(KafkaFixture kafka)
            throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, TestConfigs.FAST);
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        String source = "orders-" + UUID.randomUUID();
        createTopic(clients, source, 4);
        FunctionSpec function = deploy(config, clients, topics);
        TriggerSpec orders = TriggerSpecs.builder("acme", "orders", function.getName(), List.of(source))
                .setOrdering(TriggerOrdering.PARTITION).build();
        // A second trigger on the same topic whose group never committed: it starts at the end, so it has no lag.
        TriggerSpec late = TriggerSpecs.builder("acme", "late", function.getName(), List.of(source))
                .setOrdering(TriggerOrdering.PARTITION).setStartingPosition(StartingPosition.LATEST).build();
        // A third whose group never committed either, starting from an instant before every record: all 40 wait.
        // Its group is behind on the same partitions as the first, from another offset: each is counted apart.
        TriggerSpec replay = TriggerSpecs.builder("acme", "replay", function.getName(), List.of(source))
                .setOrdering(TriggerOrdering.KEY).setStartingPosition(StartingPosition.TIMESTAMP)
                .setStartingTimestamp(Instant.now().minusSeconds(60)).build();
        produceTransactionally(clients, source, 4);
        // The trigger's group got past the first record (and its marker) of every partition: 9 records each left.
        commit(clients, TriggerSpecs.group(orders, topics), source, 4, 2);

        Resizes resizes = new Resizes();
        try (Operator operator = new Operator(config, clients, topics);
                TriggerPublisher publisher = new TriggerPublisher(clients, topics,
                        new AvroSerdes(config).serializer(TriggerSpec.class));
                AutoscalerService service = new AutoscalerService(config, new InProcessActuator(resizes),
                        Clock.systemUTC()).start()) {
            publisher.put(orders);
            publisher.put(late);
            publisher.put(replay);

            await().atMost(Duration.ofSeconds(30)).until(() -> operator.decisions("acme/trigger:orders").size() > 0);
            assertThat(operator.decisions("acme/trigger:orders").get(0)).satisfies(d -> {
                assertThat(d.getTrigger()).isEqualTo("orders");
                assertThat(d.getFunction()).isEqualTo("enrich");
                assertThat(d.getFrom()).isZero();
                assertThat(d.getTo()).as("maxReplicas 10, but 4 source partitions").isEqualTo(4);
                assertThat(d.getReason()).matches("lag \\d+ / 1 per replica = \\d+, capped by the 4 partitions of "
                        + "trigger orders's source topics");
            });
            // Records, not offsets: every record's commit marker would double it to 18 per partition. (A count
            // that overran its time budget falls back to offsets for that sample; a later one is exact.)
            await().atMost(Duration.ofSeconds(10)).until(() -> operator.latestSample("acme/trigger:orders")
                    .map(s -> s.getPartitionLag().equals(List.of(9L, 9L, 9L, 9L))).orElse(false));
            assertThat(operator.latestSample("acme/trigger:orders")).hasValueSatisfying(s -> {
                assertThat(s.getTrigger()).isEqualTo("orders");
                assertThat(s.getFunction()).isEqualTo("enrich");
                assertThat(s.getReplicas()).as("members of the trigger's group").isZero();
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(service.view()
                    .trigger(new TriggerRef("acme", "orders"))).hasValueSatisfying(s -> assertThat(s.lag()).isEqualTo(36)));
            await().atMost(Duration.ofSeconds(10)).until(() -> resizes.last("trigger acme/orders").isPresent());
            assertThat(resizes.last("trigger acme/orders")).contains("trigger acme/orders=4");

            await().atMost(Duration.ofSeconds(10)).until(() -> operator.latestSample("acme/trigger:late").isPresent());
            assertThat(operator.latestSample("acme/trigger:late")).hasValueSatisfying(s ->
                    assertThat(s.getTotalLag()).as("a LATEST trigger without a position").isZero());
            assertThat(operator.decisions("acme/trigger:late")).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> operator.decisions("acme/trigger:replay").size() > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> operator.latestSample("acme/trigger:replay")
                    .map(s -> s.getPartitionLag().equals(List.of(10L, 10L, 10L, 10L))).orElse(false));
            assertThat(operator.decisions("acme/trigger:replay").get(0).getTo()).as("KEY: capped too").isEqualTo(4);
            // The function's own pool is apart: no work on its work topic, so nothing for it.
            assertThat(operator.latestSample("acme/enrich")).hasValueSatisfying(s -> {
                assertThat(s.getTrigger()).isNull();
                assertThat(s.getTotalLag()).isZero();
            });
            assertThat(operator.decisions("acme/enrich")).isEmpty();
            assertThat(resizes.calls).noneMatch(c -> c.startsWith("function "));

            publisher.remove(new TriggerRef("acme", "orders"));

            await().atMost(Duration.ofSeconds(30)).until(() -> operator.tombstoned("acme/trigger:orders"));
            await().atMost(Duration.ofSeconds(10)).until(() -> resizes.last("trigger acme/orders")
                    .equals(Optional.of("trigger acme/orders=0")));
            assertThat(service.view().trigger(new TriggerRef("acme", "orders"))).isEmpty();
        }
    }

    @Test
    void shouldScaleANoneTriggersPoolPastItsOnlySourcePartition(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, TestConfigs.FAST);
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        String source = "clicks-" + UUID.randomUUID();
        createTopic(clients, source, 1);
        FunctionSpec function = deploy(config, clients, topics);
        // EARLIEST and no member yet: the share group will start at the first record, so all of them wait.
        TriggerSpec clicks = TriggerSpecs.builder("acme", "clicks", function.getName(), List.of(source))
                .setOrdering(TriggerOrdering.NONE).setStartingPosition(StartingPosition.EARLIEST).build();
        produceTransactionally(clients, source, 1);

        try (Operator operator = new Operator(config, clients, topics);
                TriggerPublisher publisher = new TriggerPublisher(clients, topics,
                        new AvroSerdes(config).serializer(TriggerSpec.class));
                AutoscalerService service = new AutoscalerService(config, null, Clock.systemUTC()).start()) {
            publisher.put(clicks);

            await().atMost(Duration.ofSeconds(30)).until(() -> operator.decisions("acme/trigger:clicks").size() > 0);
            assertThat(operator.decisions("acme/trigger:clicks").get(0)).satisfies(d -> {
                assertThat(d.getTrigger()).isEqualTo("clicks");
                assertThat(d.getTo()).as("a share group is not capped by its 1 partition").isEqualTo(10);
                assertThat(d.getReason()).startsWith("lag ").doesNotContain("partitions");
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> operator.latestSample("acme/trigger:clicks")
                    .map(s -> s.getPartitionLag().equals(List.of(10L))).orElse(false));
        }
    }

    /** The function triggers run: 0 to 10 replicas, one record of lag per replica. */
    private static FunctionSpec deploy(FerryConfig config, KafkaClients clients, TopicCatalog topics) {
        FunctionSpec spec = FunctionSpecs.builder("acme", "enrich", Runtime.JAVA, "echo").setDelivery(Delivery.QUEUE)
                .setPartitions(1).setMinReplicas(0).setMaxReplicas(10).setTargetLagPerReplica(1).build();
        try (Admin admin = clients.admin("trigger-scaling-it");
                FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                        new AvroSerdes(config).serializer(FunctionSpec.class))) {
            TopicProvisioner provisioner = new TopicProvisioner(admin);
            provisioner.ensure(topics.platformTopics());
            provisioner.ensure(topics.workTopic(FunctionSpecs.ref(spec), spec.getPartitions()));
            publisher.deploy(spec);
        }
        return spec;
    }

    private static void createTopic(KafkaClients clients, String topic, int partitions) throws Exception {
        try (Admin admin = clients.admin("trigger-scaling-it-topics")) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** {@link #RECORDS_PER_PARTITION} records to each partition, each in a transaction of its own. */
    private static void produceTransactionally(KafkaClients clients, String topic, int partitions) {
        Map<String, Object> transactional = new HashMap<>();
        transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "trigger-scaling-it-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = clients.producer("trigger-scaling-it", new StringSerializer(),
                new StringSerializer(), transactional)) {
            producer.initTransactions();
            for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                for (int p = 0; p < partitions; p++) {
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(topic, p, "k" + i, "{\"n\":" + i + "}"));
                    producer.commitTransaction();
                }
            }
        }
    }

    /** Commits {@code offset} on every partition in {@code group}, as a replica that got that far would. */
    private static void commit(KafkaClients clients, String group, String topic, int partitions, long offset) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(group, "trigger-scaling-it-committer",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            consumer.assign(offsets.keySet());
            consumer.commitSync(offsets);
        }
    }
}
