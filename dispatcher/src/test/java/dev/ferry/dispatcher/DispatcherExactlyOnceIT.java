package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.Runtime;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DispatcherExactlyOnceIT {

    private static final Logger log = LoggerFactory.getLogger(DispatcherExactlyOnceIT.class);
    private static final int HALF = 1_500;

    @Test
    void shouldRouteEachInvocationExactlyOnceWhenADispatcherIsKilledMidStream(KafkaFixture kafka) throws Exception {
        // Small batches: many transactions, so the kill most likely lands inside one. Partitions handed over after
        // the kill are first fetched when the fetch the broker holds returns: Kafka's 500 ms here, not the 5 s of an
        // idle dispatcher (GroupPolls.IDLE_FETCH_WAIT), as idle cost is not what this case is about.
        try (Harness h = new Harness(kafka, Map.of("kafka.max.poll.records", 50, "kafka.fetch.max.wait.ms", 500))) {
            FunctionRef ref = new FunctionRef("acme", "ledger");
            h.deploy(FunctionSpecs.builder("acme", "ledger", Runtime.JAVA, "echo").setPartitions(4).build());
            String workTopic = h.topics.work(ref);
            List<String> sent = new ArrayList<>();
            sendInvocations(h, sent);

            // The second instance gets the killed one's partitions once its session ends: 3 s, not the broker's 10.
            kafka.shortestSessions(List.of(h.topics.dispatcherGroup()));
            Process first = startChild(h, "first-" + h.topics.invocations());
            int routedAtKill;
            try (KafkaConsumer<byte[], byte[]> work = h.reader(workTopic)) {
                AtomicInteger seen = new AtomicInteger();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    assertThat(first.isAlive()).as("the child dispatcher is running").isTrue();
                    seen.addAndGet(work.poll(Duration.ofMillis(50)).count());
                    return seen.get() >= 300;
                });
                // Kill it while a transaction has written to the work topic but not committed yet.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                        .until(() -> transactionOpen(kafka.admin(), workTopic));
                first.destroyForcibly();
                routedAtKill = seen.get();
            } finally {
                first.destroyForcibly(); // a JVM of its own would outlive a failed test
                first.waitFor(30, TimeUnit.SECONDS);
            }
            log.info("Killed the first dispatcher after seeing {} of {} invocations routed", routedAtKill, 2 * HALF);
            sendInvocations(h, sent);

            Dispatcher second = h.dispatcher(Map.of(DispatcherConfig.TRANSACTIONAL_ID,
                    "second-" + h.topics.invocations()));
            second.start();
            awaitAllConsumed(h, kafka.admin());
            // The killed instance's open transaction holds read_committed readers back until the broker aborts it.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !transactionOpen(kafka.admin(), workTopic));

            List<String> routed = h.readAll(workTopic).stream().map(r -> h.request(r).getInvocationId()).toList();
            Set<String> distinct = new HashSet<>(routed);
            assertThat(routed).hasSize(2 * HALF);
            assertThat(distinct).hasSize(2 * HALF).isEqualTo(new HashSet<>(sent));
            assertThat(h.readAll(h.topics.results())).isEmpty();
            assertThat(h.readAll(h.topics.dlq())).isEmpty();
            assertThat(second.isRunning()).isTrue();
            log.info("The work topic holds {} records, committed or aborted, for {} committed ones",
                    countUncommitted(h, workTopic), routed.size());
        }
    }

    @Test
    void shouldStopTheOldInstanceAndRouteEachInvocationOnceWhenARestartReusesItsTransactionalId(KafkaFixture kafka)
            throws Exception {
        try (Harness h = new Harness(kafka)) {
            FunctionRef ref = new FunctionRef("acme", "ledger");
            h.deploy(FunctionSpecs.builder("acme", "ledger", Runtime.JAVA, "echo").setPartitions(4).build());
            Dispatcher old = h.dispatcher().start();
            List<String> sent = new ArrayList<>();
            sendInvocations(h, sent, 100);
            h.read(h.topics.work(ref), 100);

            // Same transactional.id: the restart's producers fence both of the old one's (<id> and <id>-alt), and
            // the old one stops at its next transaction, whichever producer's turn it is.
            Dispatcher restarted = h.dispatcher().start();
            sendInvocations(h, sent, 300);

            await().atMost(Duration.ofSeconds(60)).until(() -> !old.isRunning());
            assertThat(old.failure()).get().satisfies(error -> assertThat(causes(error))
                    .anyMatch(c -> c instanceof ProducerFencedException || c instanceof InvalidProducerEpochException));
            awaitAllConsumed(h, kafka.admin());
            List<String> routed = h.readAll(h.topics.work(ref)).stream()
                    .map(r -> h.request(r).getInvocationId()).toList();
            assertThat(routed).hasSize(400).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(restarted.isRunning()).isTrue();
        }
    }

    /**
     * A second instance with the same transactional.id (a stray one started alike) fences the first; once it stops,
     * the first routes again by itself. Before, the fenced instance stayed dead, unready, and every invocation waited
     * until its process was restarted (a tester, session 10: a second `ferry dispatcher` beside `ferry dev`).
     */
    @Test
    void shouldRouteAgainWhenTheInstanceThatFencedItStops(KafkaFixture kafka) throws Exception {
        try (Harness h = new Harness(kafka)) {
            FunctionRef ref = new FunctionRef("acme", "ledger");
            h.deploy(FunctionSpecs.builder("acme", "ledger", Runtime.JAVA, "echo").setPartitions(2).build());
            Dispatcher first = h.dispatcher().start();
            List<String> sent = new ArrayList<>();
            Dispatcher stray = h.dispatcher().start();
            sendInvocations(h, sent, 50);
            await().atMost(Duration.ofSeconds(60)).until(() -> !first.isRunning());
            // The loop stops first and the instance then says why (CI read the bare ProducerFencedException between).
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(first.readiness().problem()).get()
                    .asString().contains("fenced by another dispatcher"));

            stray.close();
            await().atMost(Duration.ofSeconds(60)).until(first::isRunning);
            assertThat(first.readiness().problem()).isEmpty();
            sendInvocations(h, sent, 50);
            awaitAllConsumed(h, kafka.admin());
            List<String> routed = h.readAll(h.topics.work(ref)).stream()
                    .map(r -> h.request(r).getInvocationId()).toList();
            assertThat(routed).hasSize(100).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    /** The default transactional.id names the management port too: two instances on one host do not share it. */
    @Test
    void shouldDeriveDistinctTransactionalIdsForInstancesOnOneHost(KafkaFixture kafka) throws Exception {
        try (Harness h = new Harness(kafka)) {
            String one = h.dispatcher(Map.of("dispatcher.transactional.id", "", "management.port", 39401))
                    .transactionalId();
            String other = h.dispatcher(Map.of("dispatcher.transactional.id", "", "management.port", 39402))
                    .transactionalId();
            assertThat(one).isNotEqualTo(other).endsWith("-39401");
            assertThat(h.dispatcher(Map.of("dispatcher.transactional.id", "", "management.port", 39401))
                    .transactionalId()).as("stable across restarts").isEqualTo(one);
        }
    }

    private static List<Throwable> causes(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** True when some partition has records past its last stable offset: a transaction wrote, not yet ended. */
    private static boolean transactionOpen(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> partitions = IntStream.range(0, 4).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(partitions,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> written = admin.listOffsets(partitions,
                new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
        return partitions.keySet().stream().anyMatch(tp -> written.get(tp).offset() > stable.get(tp).offset());
    }

    /** Everything in the topic, aborted records included: shows whether the kill left a transaction open. */
    private static long countUncommitted(Harness h, String topic) {
        try (KafkaConsumer<byte[], byte[]> all = h.reader(topic, Map.of("isolation.level", "read_uncommitted"))) {
            Map<TopicPartition, Long> ends = all.endOffsets(all.assignment());
            long count = 0;
            while (ends.entrySet().stream().anyMatch(e -> all.position(e.getKey()) < e.getValue())) {
                count += all.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static void sendInvocations(Harness h, List<String> sent) {
        sendInvocations(h, sent, HALF);
    }

    private static void sendInvocations(Harness h, List<String> sent, int count) {
        InvocationRequest[] batch = new InvocationRequest[count];
        for (int i = 0; i < count; i++) {
            // Keys spread the stream over every partition of ferry.invocations, and pin each key's work partition.
            batch[i] = Requests.request("acme", "ledger").setKey("account-" + (i % 11)).build();
            sent.add(batch[i].getInvocationId());
        }
        h.invoke(batch);
    }

    private static Process startChild(Harness h, String transactionalId) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only and the serial collector, as the system tests start Ferry's processes: the child starts
                // sooner on a 2-core machine, and nothing asserted depends on the JIT.
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                DispatcherProcess.class.getName()));
        h.config.originals().forEach((key, value) -> {
            if (!key.equals(DispatcherConfig.TRANSACTIONAL_ID)) {
                command.add(key + "=" + value);
            }
        });
        command.add(DispatcherConfig.TRANSACTIONAL_ID + "=" + transactionalId);
        // The broker aborts the killed child's open transaction after this timeout: 5 s instead of the dispatcher's
        // 10 s, still 50 times a transaction of 50 slowed sends, and what the test proves (the abort, then each
        // invocation routed once) does not depend on how long it is.
        command.add("kafka." + ProducerConfig.TRANSACTION_TIMEOUT_CONFIG + "=5000");
        command.add("kafka.interceptor.classes=" + SlowSendInterceptor.class.getName());
        File log = Path.of("target", "dispatcher-process-" + transactionalId + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Until the dispatcher group has committed every offset of ferry.invocations. */
    private static void awaitAllConsumed(Harness h, Admin admin) throws Exception {
        String topic = h.topics.invocations();
        Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(List.of(topic)).allTopicNames().get()
                .get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(h.topics.dispatcherGroup()).partitionsToOffsetAndMetadata().get();
            return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue().offset());
        });
    }
}
