package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A QUEUE replica acquires more records per poll than it runs at once while runs are short (issue 16). Short runs
 * first, so the replicas acquire ahead; then runs too slow for a batch of {@code factor × concurrency} to start
 * within a 3 s acquisition lock, so records wait in a replica's buffer and some are released unrun. Every
 * invocation must still run exactly once and succeed: none outlives its lock and runs again on the other replica,
 * none is lost, and none is dead-lettered for deliveries it never ran (the delivery count limit is 1 here, so one
 * released delivery counted against it would send the record to the DLQ).
 */
@FerryKafkaTest
@Timeout(120)
class AcquireAheadIT {

    private static final int CONCURRENCY = 2;
    private static final int TIMEOUT_MS = 1_000;

    @Test
    void shouldRunEveryBufferedRecordOnceWhenABatchHoldsMoreThanItsConcurrency(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka, Map.of(WorkerConfig.DELIVERY_COUNT_LIMIT, 1,
                WorkerConfig.QUEUE_ACQUIRE_FACTOR, 8));
             WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            List<ConsumerRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
            FunctionRef ref = new FunctionRef("acme", "buffered");
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA,
                    CountedSleepFunction.class.getName()).setConcurrency(CONCURRENCY).setTimeoutMs(TIMEOUT_MS)
                    .setPartitions(2).build();
            harness.workTopic(ref, spec.getPartitions());
            // The least the worker asks for (timeout + 1 s to write + 1 s to wait for a slot); it never lowers it.
            harness.shareGroupConfig(harness.topics.workerGroup(ref), "share.record.lock.duration.ms", "3000");
            List<InvocationRequest> quick = IntStream.range(0, 60)
                    .mapToObj(i -> Harness.request(ref, "{\"ms\": 0}", null)).toList();
            // 16 acquired per poll at 300 ms per run, 2 at a time: about 8 can start within the 1 s budget.
            List<InvocationRequest> slow = IntStream.range(0, 48)
                    .mapToObj(i -> Harness.request(ref, "{\"ms\": 300}", null)).toList();
            List<InvocationRequest> all = new ArrayList<>(quick);
            all.addAll(slow);

            try (WorkerPool pool = new WorkerPool(spec, context, 2)) {
                harness.send(quick);
                await().atMost(Duration.ofSeconds(30)).until(() -> answered(results, quick));
                harness.send(slow);
                await().atMost(Duration.ofSeconds(60)).until(() -> answered(results, slow));
                // A record that outlived its 3 s lock would be delivered again within a lock's time: none may run
                // twice while the pool stays up that long.
                await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> all.stream()
                        .allMatch(r -> runs(r.getInvocationId()) == 1 && results.of(r.getInvocationId()).size() == 1));
                assertThat(pool.stats().deadLettered()).isZero();
            }

            assertThat(all).allSatisfy(request -> {
                List<InvocationResult> answers = results.of(request.getInvocationId());
                assertThat(answers).as("results of %s", request.getInvocationId()).hasSize(1);
                assertThat(answers.get(0).getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
                assertThat(CountedSleepFunction.RUNS.get(request.getInvocationId())).as("runs of %s",
                        request.getInvocationId()).hasValue(1);
            });
            assertThat(deadLetters).isEmpty();
        }
    }

    /**
     * The autoscaler adds replicas to a pool whose replica already acquires ahead: each added replica must join the
     * share group once, acquiring ahead from its first poll. Before, each joined acquiring {@code concurrency}, ran
     * one batch, then left and joined again with a consumer for the larger batch: three membership changes per added
     * replica, each a regroup in which the pool served little (issue 16, the autoscale bench's slow scale-ups). The
     * group epoch counts membership changes (KIP-932: each join and each leave bumps it).
     */
    @Test
    void shouldJoinTheShareGroupOnceForEachReplicaAddedToAPoolThatAcquiresAhead(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka, Map.of(WorkerConfig.QUEUE_ACQUIRE_FACTOR, 8));
             WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            FunctionRef ref = new FunctionRef("acme", "widened");
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA,
                    CountedSleepFunction.class.getName()).setConcurrency(1).setTimeoutMs(5_000).setPartitions(3)
                    .build();
            harness.workTopic(ref, spec.getPartitions());
            String group = harness.topics.workerGroup(ref);
            try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
                List<InvocationRequest> warmUp = quickCalls(ref, "warm", 30);
                harness.send(warmUp);
                await().atMost(Duration.ofSeconds(30)).until(() -> answered(results, warmUp));
                await().atMost(Duration.ofSeconds(30)).until(() -> stableWith(kafka, group, 1));
                int before = epoch(kafka, group);

                pool.resize(3);
                // Keyed apart, so they reach every partition and so every replica.
                List<InvocationRequest> spread = quickCalls(ref, "spread", 90);
                harness.send(spread);
                await().atMost(Duration.ofSeconds(30)).until(() -> answered(results, spread));
                await().atMost(Duration.ofSeconds(30)).until(() -> stableWith(kafka, group, 3));
                assertThat(pool.replicas()).isEqualTo(3);
                assertThat(epoch(kafka, group) - before).as("membership changes for two added replicas")
                        .isEqualTo(2);
            }
        }
    }

    private static List<InvocationRequest> quickCalls(FunctionRef ref, String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> Harness.request(ref, "{\"ms\": 1}", prefix + i)).toList();
    }

    private static boolean stableWith(KafkaFixture kafka, String group, int members) throws Exception {
        ShareGroupDescription description = describe(kafka, group);
        return description.groupState() == GroupState.STABLE && description.members().size() == members;
    }

    private static int epoch(KafkaFixture kafka, String group) throws Exception {
        return describe(kafka, group).groupEpoch();
    }

    private static ShareGroupDescription describe(KafkaFixture kafka, String group) throws Exception {
        return kafka.admin().describeShareGroups(List.of(group)).describedGroups().get(group)
                .get(10, TimeUnit.SECONDS);
    }

    private static boolean answered(Harness.Results results, List<InvocationRequest> requests) {
        return requests.stream().allMatch(r -> !results.of(r.getInvocationId()).isEmpty());
    }

    static int runs(String id) {
        AtomicInteger runs = CountedSleepFunction.RUNS.get(id);
        return runs == null ? 0 : runs.get();
    }
}
