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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11, part 6: a JAVA function that ignores interruption keeps its thread after its timeout. Each call still
 * ends TIMED_OUT; the pool counts the abandoned runs, recycles a replica once {@code worker.abandoned.runs.max} of
 * its runs hold threads, keeps answering, and no replica ever holds more stuck threads than the bound.
 */
@FerryKafkaTest
@Timeout(180)
class AbandonedRunsIT {

    private static final int BOUND = 2;
    private static final int CALLS = 7;

    @AfterEach
    void releaseStuckThreads() {
        StubbornFunction.SPIN = false;
    }

    @Test
    void shouldRecycleTheReplicaAndKeepAnsweringWhenRunsIgnoreTheirInterrupt(KafkaFixture kafka) {
        StubbornFunction.SPIN = true;
        try (Harness harness = new Harness(kafka, Map.of(WorkerConfig.ABANDONED_RUNS_MAX, BOUND));
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            FunctionRef ref = new FunctionRef("acme", "stubborn");
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA,
                    StubbornFunction.class.getName()).setTimeoutMs(300).setMaxAttempts(1).setConcurrency(1)
                    .setPartitions(1).build();
            StuckThreadWatch watch = new StuckThreadWatch(ref);
            try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
                for (int i = 0; i < CALLS; i++) {
                    InvocationRequest spin = Harness.request(ref, "spin", null);
                    harness.send(List.of(spin));
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                        watch.sample();
                        return !results.of(spin.getInvocationId()).isEmpty();
                    });
                    assertThat(results.of(spin.getInvocationId())).singleElement()
                            .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.TIMED_OUT);
                }
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    watch.sample();
                    return pool.stats().abandonedRuns() == CALLS && pool.stats().recycles() >= CALLS / BOUND;
                });
                assertThat(pool.stats().recycles()).as("a recycle at every %d abandoned runs", BOUND)
                        .isEqualTo(CALLS / BOUND);
                assertThat(pool.replicas()).isEqualTo(1);

                InvocationRequest hello = Harness.request(ref, "hello", null);
                harness.send(List.of(hello));
                await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(hello.getInvocationId()).isEmpty());
                assertThat(results.of(hello.getInvocationId())).singleElement()
                        .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED);

                assertThat(watch.maxPerReplica()).as("stuck threads per replica generation").isNotEmpty()
                        .allSatisfy((replica, most) -> assertThat(most).isLessThanOrEqualTo(BOUND));
                assertThat(pool.stats().abandonedThreads()).isEqualTo(CALLS);
                StubbornFunction.SPIN = false;
                await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().abandonedThreads() == 0);
            }
        }
    }

    /** Counts, per replica (thread name prefix up to the last '-'), the threads spinning in the function. */
    private static final class StuckThreadWatch {
        private final String prefix;
        private final Map<String, Integer> maxPerReplica = new ConcurrentHashMap<>();

        StuckThreadWatch(FunctionRef ref) {
            this.prefix = "ferry-fn-" + ref.tenant() + "-" + ref.function() + "#";
        }

        void sample() {
            Map<String, Long> now = Thread.getAllStackTraces().entrySet().stream()
                    .filter(e -> e.getKey().getName().startsWith(prefix))
                    .filter(e -> Arrays.stream(e.getValue()).anyMatch(frame ->
                            frame.getClassName().equals(StubbornFunction.class.getName())))
                    .collect(Collectors.groupingBy(e -> replicaOf(e.getKey().getName()), Collectors.counting()));
            now.forEach((replica, count) -> maxPerReplica.merge(replica, count.intValue(), Math::max));
        }

        Map<String, Integer> maxPerReplica() {
            return Map.copyOf(maxPerReplica);
        }

        private static String replicaOf(String threadName) {
            return threadName.substring(0, threadName.lastIndexOf('-'));
        }
    }
}
