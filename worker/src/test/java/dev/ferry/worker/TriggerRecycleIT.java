package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11, part 6, for triggers: runs that ignore their timeout's interrupt keep their threads; a trigger replica
 * admits runs through the invoker's bound and is recycled once {@code worker.abandoned.runs.max} of them hold
 * threads, as worker pools are, so no replica generation ever holds more stuck threads than the bound, and the
 * trigger keeps answering.
 */
@FerryKafkaTest
@Timeout(240)
class TriggerRecycleIT {

    private static final int BOUND = 2;
    private static final int SPINS = 7;

    @AfterEach
    void releaseStuckThreads() {
        StubbornFunction.SPIN = false;
    }

    @Test
    void shouldRecycleATriggerReplicaWhoseRunsIgnoreTheirInterruptAndKeepAnswering(KafkaFixture kafka)
            throws Exception {
        StubbornFunction.SPIN = true;
        try (Harness harness = new Harness(kafka, Map.of(WorkerConfig.ABANDONED_RUNS_MAX, BOUND));
                TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("spins", 1);
            String destination = kit.topic("spins-out", 1);
            String failures = kit.topic("spins-failed", 1);
            List<String> values = new ArrayList<>(Collections.nCopies(SPINS, "spin"));
            values.add("hello");
            kit.produce(source, Collections.nCopies(values.size(), "k"), values);
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            FunctionSpec function = FunctionSpecs.builder("acme", "stubborn-t", Runtime.JAVA,
                    StubbornFunction.class.getName()).setTimeoutMs(300).setMaxAttempts(1).setConcurrency(1).build();
            TriggerSpec spec = TriggerSpecs.builder("acme", "spinner", "stubborn-t", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setDestination(destination)
                    .setOnFailure(failures).build();
            Map<String, Integer> most = new ConcurrentHashMap<>();
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    sample(most);
                    return outputs.size() >= 1 && pool.stats().failed() == SPINS;
                });
                assertThat(pool.recycles()).as("a recycle at every %d abandoned runs", BOUND)
                        .isEqualTo(SPINS / BOUND);
                assertThat(pool.replicas()).isEqualTo(1);
            }
            assertThat(outputs).singleElement().extracting(TriggerKit::value).isEqualTo("hello");
            assertThat(most).as("stuck threads per replica generation").isNotEmpty()
                    .allSatisfy((generation, count) -> assertThat(count).isLessThanOrEqualTo(BOUND));
            assertThat(most.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(SPINS);
            await().atMost(Duration.ofSeconds(30)).until(() -> TriggerFixture.ofFunction(results, "stubborn-t").size()
                    >= SPINS + 1);
            assertThat(TriggerFixture.ofFunction(results, "stubborn-t")).extracting(InvocationResult::getStatus)
                    .containsOnly(InvocationStatus.TIMED_OUT, InvocationStatus.SUCCEEDED).hasSize(SPINS + 1);
        }
    }

    /** Per replica generation (thread name up to its last '-'), the most threads seen spinning in the function. */
    private static void sample(Map<String, Integer> most) {
        Map<String, Long> now = Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("ferry-trigger-acme/spinner#"))
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(frame ->
                        frame.getClassName().equals(StubbornFunction.class.getName())))
                .collect(Collectors.groupingBy(e -> e.getKey().getName().substring(0,
                        e.getKey().getName().lastIndexOf('-')), Collectors.counting()));
        now.forEach((generation, count) -> most.merge(generation, count.intValue(), Math::max));
    }
}
