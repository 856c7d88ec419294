package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.autoscaler.internal.OffsetReader;
import dev.ferry.autoscaler.simulation.SimulatedClock;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.Runtime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LagCollectorIT {

    /** Counting is cut short after its budget (then offsets stand in); a loaded machine must not decide a count. */
    private static final Duration SLOW_MACHINE_BUDGET = Duration.ofSeconds(30);

    @Test
    void shouldReportLagOfAConsumerGroupAsProducedMinusCommitted(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        FunctionSpec spec = FunctionSpecs.builder("acme", "ordered", Runtime.JAVA, "echo")
                .setDelivery(Delivery.ORDERED).setPartitions(3).build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        String topic = topics.work(ref);
        // Simulated time, moved on by each reading (awaitSample), so the partition count cached for COUNT_REFRESH
        // can be let expire below instead of waited out.
        SimulatedClock clock = new SimulatedClock(Instant.now());
        try (Admin admin = clients.admin("lag-it")) {
            new TopicProvisioner(admin).ensure(topics.workTopic(ref, 3));
            produce(clients, topic, Map.of(0, 20, 1, 20, 2, 10));
            LagCollector collector = new LagCollector(admin, topics, () -> List.of(spec), clock);

            assertThat(collector.collect()).singleElement().satisfies(s -> {
                assertThat(s.getPartitionLag()).containsExactly(20L, 20L, 10L);
                assertThat(s.getReplicas()).isZero();
            });

            try (KafkaConsumer<String, String> consumer = clients.consumer(topics.workerGroup(ref), "lag-it",
                    new StringDeserializer(), new StringDeserializer(), Map.of())) {
                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> read = new ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                    return read.size() == 50;
                });
                // Consumed 20 of 50: 15 on partition 0, 5 on partition 1, none on partition 2.
                consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(15),
                        new TopicPartition(topic, 1), new OffsetAndMetadata(5)));

                LagSample sample = awaitSample(collector, clock, s -> s.getReplicas() == 1);
                assertThat(sample.getPartitionLag()).containsExactly(5L, 15L, 10L);
                assertThat(sample.getTotalLag()).isEqualTo(30);
                assertThat(sample.getServiceRate()).isGreaterThan(0);
            }

            // Retention deleted the first 4 records of partition 2, which has no commit: they are no one's work.
            admin.deleteRecords(Map.of(new TopicPartition(topic, 2), RecordsToDelete.beforeOffset(4))).all()
                    .get(30, TimeUnit.SECONDS);
            // A partition added to the topic joins the sample with its records.
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
            produce(clients, topic, Map.of(3, 7));
            // A topic's partition count is described again once COUNT_REFRESH has passed, not on every reading
            // (issue 16): the test waited those 10 s in real time.
            clock.advance(OffsetReader.COUNT_REFRESH);
            LagSample grown = awaitSample(collector, clock, s -> s.getPartitionLag().size() == 4);
            assertThat(grown.getPartitionLag()).containsExactly(5L, 15L, 6L, 7L);
            assertThat(grown.getTotalLag()).isEqualTo(33);

            // A deleted group has no members and no offsets: its lag counts from the earliest retained offset again.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> admin
                    .deleteConsumerGroups(List.of(topics.workerGroup(ref))).all().get(10, TimeUnit.SECONDS));
            LagSample deleted = awaitSample(collector, clock, s -> s.getTotalLag() == 53);
            assertThat(deleted.getPartitionLag()).containsExactly(20L, 20L, 6L, 7L);
            assertThat(deleted.getReplicas()).isZero();
        }
    }

    @Test
    void shouldReportLagOfAShareGroupAsProducedMinusAcknowledged(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        FunctionSpec spec = FunctionSpecs.builder("acme", "queued", Runtime.JAVA, "echo")
                .setDelivery(Delivery.QUEUE).setPartitions(2).build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        String topic = topics.work(ref);
        String group = topics.workerGroup(ref);
        try (Admin admin = clients.admin("lag-it")) {
            TopicProvisioner provisioner = new TopicProvisioner(admin);
            provisioner.ensure(topics.workTopic(ref, 2));
            provisioner.startShareGroupAtEarliest(group);
            produce(clients, topic, Map.of(0, 15, 1, 15));
            LagCollector collector = new LagCollector(admin, topics, () -> List.of(spec), Clock.systemUTC());
            assertThat(collector.collect()).singleElement()
                    .satisfies(s -> assertThat(s.getTotalLag()).isEqualTo(30));

            int toAcknowledge = 12;
            try (KafkaShareConsumer<String, String> consumer = clients.shareConsumer(group, "lag-it",
                    new StringDeserializer(), new StringDeserializer(),
                    Map.of("share.acknowledgement.mode", "explicit"))) {
                consumer.subscribe(List.of(topic));
                List<String> accepted = new CopyOnWriteArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        if (accepted.size() < toAcknowledge) {
                            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
                            accepted.add(record.value());
                        } else {
                            consumer.acknowledge(record, AcknowledgeType.RELEASE);
                        }
                    }
                    consumer.commitSync();
                    return accepted.size() == toAcknowledge;
                });

                LagSample sample = awaitSample(collector, s -> s.getTotalLag() == 30 - toAcknowledge);
                assertThat(sample.getReplicas()).isEqualTo(1);
                assertThat(sample.getPartitionLag()).hasSize(2);
            }
        }
    }

    /**
     * Issue 11: the dispatcher writes in transactions, one marker per transaction and partition. With one record
     * per transaction an offset difference counts every waiting record twice; the lag counts records, for a
     * consumer group and a share group alike, and reaches exactly 0 once everything is done.
     */
    @Test
    void shouldCountRecordsNotTransactionMarkersWhenTheWorkWasWrittenInTransactions(KafkaFixture kafka)
            throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        FunctionSpec ordered = FunctionSpecs.builder("acme", "ordered-tx", Runtime.JAVA, "echo")
                .setDelivery(Delivery.ORDERED).setPartitions(3).build();
        FunctionSpec queued = FunctionSpecs.builder("acme", "queued-tx", Runtime.JAVA, "echo")
                .setDelivery(Delivery.QUEUE).setPartitions(3).build();
        FunctionRef orderedRef = FunctionSpecs.ref(ordered);
        FunctionRef queuedRef = FunctionSpecs.ref(queued);
        try (Admin admin = clients.admin("lag-it");
                KafkaConsumer<byte[], byte[]> counter = clients.consumer(null, "lag-it-counter",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            TopicProvisioner provisioner = new TopicProvisioner(admin);
            provisioner.ensure(topics.workTopic(orderedRef, 3), topics.workTopic(queuedRef, 3));
            provisioner.startShareGroupAtEarliest(topics.workerGroup(queuedRef));
            Map<Integer, Integer> burst = Map.of(0, 4, 1, 2, 2, 1);
            produceInTransactions(clients, topics.work(orderedRef), burst);
            produceInTransactions(clients, topics.work(queuedRef), burst);
            LagCollector collector = new LagCollector(admin, counter, topics, () -> List.of(ordered, queued),
                    List::of, Clock.systemUTC(), SLOW_MACHINE_BUDGET);

            Map<String, LagSample> waiting = byFunction(collector.collect());
            assertThat(waiting.get("ordered-tx").getPartitionLag()).containsExactly(4L, 2L, 1L);
            assertThat(waiting.get("queued-tx").getPartitionLag()).containsExactly(4L, 2L, 1L);
            assertThat(new LagCollector(admin, topics, () -> List.of(ordered), Clock.systemUTC()).collect())
                    .as("offsets alone count each marker").singleElement()
                    .satisfies(s -> assertThat(s.getTotalLag()).isEqualTo(14));

            try (KafkaConsumer<String, String> consumer = clients.consumer(topics.workerGroup(orderedRef), "lag-it",
                    new StringDeserializer(), new StringDeserializer(), Map.of());
                    KafkaShareConsumer<String, String> share = clients.shareConsumer(
                            topics.workerGroup(queuedRef), "lag-it", new StringDeserializer(),
                            new StringDeserializer(), Map.of())) {
                consumer.subscribe(List.of(topics.work(orderedRef)));
                share.subscribe(List.of(topics.work(queuedRef)));
                AtomicInteger read = new AtomicInteger();
                AtomicInteger shared = new AtomicInteger();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    read.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
                    shared.addAndGet(share.poll(Duration.ofMillis(100)).count()); // implicitly accepted next poll
                    Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
                    consumer.assignment().forEach(tp -> positions.put(tp, new OffsetAndMetadata(consumer.position(tp))));
                    consumer.commitSync(positions);
                    share.commitSync();
                    Map<String, LagSample> now = byFunction(collector.collect());
                    return read.get() == 7 && shared.get() == 7 && now.size() == 2
                            && now.values().stream().allMatch(s -> s.getTotalLag() == 0);
                });
            }
        }
    }

    /**
     * The arrival rate counts records too: at light load the dispatcher commits a transaction per record, so the
     * end offset grows by two per call and an offset rate read 78/s for 40 calls/s (the rate-aware policies then
     * asked for twice the replicas). The service rate follows: what arrived less what the backlog grew by.
     */
    @Test
    void shouldCountArrivedRecordsNotTransactionMarkers(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        FunctionSpec spec = FunctionSpecs.builder("acme", "arrivals-tx", Runtime.JAVA, "echo")
                .setDelivery(Delivery.ORDERED).setPartitions(3).build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-30T00:00:00Z"));
        try (Admin admin = clients.admin("lag-it");
                KafkaConsumer<byte[], byte[]> counter = clients.consumer(null, "lag-it-counter",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            new TopicProvisioner(admin).ensure(topics.workTopic(ref, 3));
            produceInTransactions(clients, topics.work(ref), Map.of(0, 1, 1, 1));
            LagCollector collector = new LagCollector(admin, counter, topics, () -> List.of(spec), List::of, clock,
                    SLOW_MACHINE_BUDGET);
            assertThat(collector.collect()).singleElement()
                    .satisfies(first -> assertThat(first.getTotalLag()).isEqualTo(2));

            produceInTransactions(clients, topics.work(ref), Map.of(0, 4, 1, 2, 2, 2));
            clock.advance(Duration.ofSeconds(2));
            LagSample second = collector.collect().get(0);
            assertThat(second.getTotalLag()).isEqualTo(10);
            assertThat(second.getArrivalRate()).as("8 records in 2 s; their offsets, markers included, are 16")
                    .isEqualTo(4.0);
            assertThat(second.getServiceRate()).as("nothing was consumed").isEqualTo(0.0);

            try (KafkaConsumer<String, String> consumer = clients.consumer(topics.workerGroup(ref), "lag-it",
                    new StringDeserializer(), new StringDeserializer(), Map.of())) {
                consumer.subscribe(List.of(topics.work(ref)));
                AtomicInteger read = new AtomicInteger();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    read.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
                    return read.get() == 10;
                });
                consumer.commitSync();
            }
            clock.advance(Duration.ofSeconds(2));
            LagSample third = collector.collect().get(0);
            assertThat(third.getTotalLag()).isZero();
            assertThat(third.getArrivalRate()).isZero();
            assertThat(third.getServiceRate()).as("10 records served in 2 s").isEqualTo(5.0);
        }
    }

    @Test
    void shouldSkipAFunctionWhoseWorkTopicDoesNotExistYet(KafkaFixture kafka) {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        try (Admin admin = new KafkaClients(config).admin("lag-it")) {
            FunctionSpec spec = FunctionSpecs.builder("acme", "nowhere", Runtime.JAVA, "echo").build();
            assertThat(new LagCollector(admin, topics, () -> List.of(spec), Clock.systemUTC()).collect()).isEmpty();
        }
    }

    /** {@code count} one-partition functions of tenant acme named {@code prefix0, prefix1, ...}. */
    private static List<FunctionSpec> functions(String prefix, int count) {
        List<FunctionSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(FunctionSpecs.builder("acme", prefix + i, Runtime.JAVA, "echo").setPartitions(1).build());
        }
        return specs;
    }

    /**
     * A collector over {@code specs}' new work topics, read twice with nothing in between, so that every pool is
     * quiet when it is returned.
     */
    private static LagCollector quietCollector(CountingAdmin admin, TopicCatalog topics, List<FunctionSpec> specs,
            SimulatedClock clock, Duration quietCheck) {
        TopicProvisioner provisioner = new TopicProvisioner(admin);
        for (FunctionSpec spec : specs) {
            provisioner.ensure(topics.workTopic(FunctionSpecs.ref(spec), 1));
        }
        LagCollector collector = new LagCollector(admin, null, topics, () -> specs, List::of, clock,
                LagCollector.COUNT_BUDGET, quietCheck);
        assertThat(collector.collect()).hasSize(specs.size());
        clock.advance(Duration.ofSeconds(1));
        assertThat(collector.collect()).hasSize(specs.size());
        assertThat(specs).allSatisfy(spec -> assertThat(collector.quiet(PoolRef.of(FunctionSpecs.ref(spec))))
                .isTrue());
        return collector;
    }

    /**
     * Issue 16: an idle process with many functions must not pay per function per poll. Quiet function pools (no
     * replicas, no lag, nothing arriving) are checked together, one list-offsets call every quiet check, and a poll
     * between checks makes no Admin call at all; a record that arrives is seen at the next check.
     */
    @Test
    void shouldMakeNoAdminCallForQuietPoolsBetweenTheirChecks(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-30T12:00:00Z"));
        Duration quietCheck = Duration.ofSeconds(5);
        try (CountingAdmin admin = new CountingAdmin(kafka.clientProperties())) {
            List<FunctionSpec> specs = functions("quiet-", 20);
            LagCollector collector = quietCollector(admin, topics, specs, clock, quietCheck);

            admin.calls.set(0);
            admin.listOffsetsCalls.set(0);
            for (int poll = 0; poll < 3; poll++) {
                clock.advance(Duration.ofSeconds(1));
                assertThat(collector.collect()).isEmpty();
            }
            assertThat(admin.calls).as("Admin calls of polls between quiet checks").hasValue(0);

            produce(clients, topics.work(FunctionSpecs.ref(specs.get(7))), Map.of(0, 1));
            clock.advance(quietCheck);
            List<LagSample> checked = collector.collect();
            assertThat(checked).singleElement().satisfies(s -> {
                assertThat(s.getFunction()).isEqualTo("quiet-7");
                assertThat(s.getTotalLag()).isEqualTo(1);
            });
            // The check of all 20 pools is one list-offsets call; the pool whose end moved is then read in full.
            assertThat(admin.listOffsetsCalls).hasValue(1 + 2);
        }
    }

    /**
     * Issue 16: a quiet function pool's once-a-minute refresh, when its end offsets did not move, only describes its
     * group: no share-group offsets are listed (the broker would read the group's share state for them) and no
     * sample is published. A pool whose group has a member is read in full.
     */
    @Test
    void shouldOnlyDescribeTheGroupsAtTheRefreshOfQuietPoolsWhoseEndsDidNotMove(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka, Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-30T12:00:00Z"));
        try (CountingAdmin admin = new CountingAdmin(kafka.clientProperties())) {
            List<FunctionSpec> specs = functions("still-", 5);
            LagCollector collector = quietCollector(admin, topics, specs, clock, Duration.ofSeconds(5));

            admin.shareOffsetsCalls.set(0);
            admin.listOffsetsCalls.set(0);
            clock.advance(LagCollector.QUIET_REFRESH.plusSeconds(1));
            assertThat(collector.collect()).as("samples of the refresh").isEmpty();
            assertThat(admin.shareOffsetsCalls).as("share-group offsets listed at the refresh").hasValue(0);
            assertThat(admin.listOffsetsCalls).as("list-offsets calls of the refresh").hasValue(1);
            assertThat(specs).allSatisfy(spec -> assertThat(collector.quiet(PoolRef.of(FunctionSpecs.ref(spec))))
                    .isTrue());

            FunctionRef joined = FunctionSpecs.ref(specs.get(2));
            String group = topics.workerGroup(joined);
            try (KafkaShareConsumer<String, String> member = clients.shareConsumer(group, "lag-it",
                    new StringDeserializer(), new StringDeserializer(), Map.of())) {
                member.subscribe(List.of(topics.work(joined)));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    member.poll(Duration.ofMillis(100));
                    return admin.describeShareGroups(List.of(group)).describedGroups().get(group)
                            .get(10, TimeUnit.SECONDS).members().size() == 1;
                });
                clock.advance(LagCollector.QUIET_REFRESH.plusSeconds(1));
                assertThat(collector.collect()).singleElement().satisfies(sample -> {
                    assertThat(sample.getFunction()).isEqualTo("still-2");
                    assertThat(sample.getReplicas()).isEqualTo(1);
                });
            }
        }
    }

    /** A real Admin client that counts the calls the collector makes. */
    private static final class CountingAdmin extends org.apache.kafka.clients.admin.ForwardingAdmin {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger listOffsetsCalls = new AtomicInteger();
        final AtomicInteger shareOffsetsCalls = new AtomicInteger();

        CountingAdmin(Map<String, Object> configs) {
            super(configs);
        }

        @Override
        public org.apache.kafka.clients.admin.ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> offsets,
                ListOffsetsOptions options) {
            calls.incrementAndGet();
            listOffsetsCalls.incrementAndGet();
            return super.listOffsets(offsets, options);
        }

        @Override
        public org.apache.kafka.clients.admin.DescribeTopicsResult describeTopics(
                org.apache.kafka.common.TopicCollection topics, org.apache.kafka.clients.admin.DescribeTopicsOptions o) {
            calls.incrementAndGet();
            return super.describeTopics(topics, o);
        }

        @Override
        public org.apache.kafka.clients.admin.DescribeShareGroupsResult describeShareGroups(
                java.util.Collection<String> groups, org.apache.kafka.clients.admin.DescribeShareGroupsOptions o) {
            calls.incrementAndGet();
            return super.describeShareGroups(groups, o);
        }

        @Override
        public org.apache.kafka.clients.admin.ListShareGroupOffsetsResult listShareGroupOffsets(
                Map<String, org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec> specs,
                org.apache.kafka.clients.admin.ListShareGroupOffsetsOptions o) {
            calls.incrementAndGet();
            shareOffsetsCalls.incrementAndGet();
            return super.listShareGroupOffsets(specs, o);
        }
    }

    static LagSample awaitSample(LagCollector collector, java.util.function.Predicate<LagSample> condition) {
        return awaitSample(collector, null, condition);
    }

    /** As above, with {@code clock} (when not null) moved on by each reading's poll interval, as real time is. */
    private static LagSample awaitSample(LagCollector collector, SimulatedClock clock,
            java.util.function.Predicate<LagSample> condition) {
        Duration interval = Duration.ofMillis(250);
        List<LagSample> last = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(interval).until(() -> {
            if (clock != null) {
                clock.advance(interval);
            }
            last.clear();
            last.addAll(collector.collect());
            return last.size() == 1 && condition.test(last.get(0));
        });
        return last.get(0);
    }

    private static Map<String, LagSample> byFunction(List<LagSample> samples) {
        Map<String, LagSample> byFunction = new HashMap<>();
        samples.forEach(s -> byFunction.put(s.getFunction(), s));
        return byFunction;
    }

    /** One record per transaction, as the dispatcher writes under light load: each is followed by a marker. */
    private static void produceInTransactions(KafkaClients clients, String topic, Map<Integer, Integer> perPartition) {
        try (KafkaProducer<String, String> producer = clients.producer("lag-it-tx", new StringSerializer(),
                new StringSerializer(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-it-" + topic))) {
            producer.initTransactions();
            for (Map.Entry<Integer, Integer> e : perPartition.entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(topic, e.getKey(), "k", "v" + i));
                    producer.commitTransaction();
                }
            }
        }
        awaitCommittedVisible(clients, topic, perPartition.keySet());
    }

    /**
     * A commit returns before its markers are written, so a read_committed reader (and the lag) may not see the last
     * transaction yet; the test is about counting, so it waits until the last stable offsets reach the ends.
     */
    private static void awaitCommittedVisible(KafkaClients clients, String topic, java.util.Set<Integer> partitions) {
        try (Admin admin = clients.admin("lag-it-visible")) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p), OffsetSpec.latest()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var uncommitted = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                        .all().get();
                var committed = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all().get();
                return latest.keySet().stream().allMatch(tp -> committed.get(tp).offset()
                        == uncommitted.get(tp).offset());
            });
        }
    }

    static void produce(KafkaClients clients, String topic, Map<Integer, Integer> perPartition)
            throws Exception {
        try (KafkaProducer<String, String> producer = clients.producer("lag-it", new StringSerializer(),
                new StringSerializer(), new HashMap<>())) {
            for (Map.Entry<Integer, Integer> e : perPartition.entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    producer.send(new ProducerRecord<>(topic, e.getKey(), "k", "v" + i));
                }
            }
            producer.flush();
        }
    }
}
