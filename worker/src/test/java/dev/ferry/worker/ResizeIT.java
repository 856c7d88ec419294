package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@FerryKafkaTest
@Timeout(150)
class ResizeIT {

    private static final int INVOCATIONS = 2_000;

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void shouldLoseAndRepeatNothingWhenResizedUnderLoad(Delivery delivery, KafkaFixture kafka) {
        try (Harness harness = new Harness(kafka); WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            FunctionRef ref = new FunctionRef("acme", "resize-" + delivery.name().toLowerCase());
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "sleep")
                    .setDelivery(delivery).setPartitions(6).setConcurrency(4).build();
            List<InvocationRequest> requests = IntStream.range(0, INVOCATIONS)
                    .mapToObj(i -> Harness.request(ref, "{\"ms\": 3}", "k" + (i % 50))).toList();

            try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
                // Keeps a backlog of a few hundred records, so the load lasts through both resizes.
                CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                    for (int from = 0; from < INVOCATIONS; from += 100) {
                        int sent = from;
                        await().atMost(Duration.ofSeconds(60)).until(() -> pool.stats().processed() >= sent - 400);
                        harness.send(requests.subList(from, from + 100));
                    }
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().processed() >= 200);
                pool.resize(4);
                assertThat(pool.replicas()).isEqualTo(4);
                await().atMost(Duration.ofSeconds(30)).until(() -> results.all().stream()
                        .filter(r -> r.getFunction().equals(ref.function())).map(InvocationResult::getWorker)
                        .distinct().count() == 4);
                pool.resize(1);
                assertThat(pool.replicas()).isEqualTo(1);
                load.join();
                await().atMost(Duration.ofSeconds(60)).until(() -> pool.stats().processed() >= INVOCATIONS);
            }

            Set<String> ids = requests.stream().map(InvocationRequest::getInvocationId).collect(Collectors.toSet());
            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> !results.of(id).isEmpty()));
            List<InvocationResult> mine = results.all().stream().filter(r -> ids.contains(r.getInvocationId()))
                    .toList();
            assertThat(mine).hasSize(INVOCATIONS).allSatisfy(result ->
                    assertThat(result.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED));
            assertThat(mine.stream().map(InvocationResult::getWorker).collect(Collectors.toSet()))
                    .as("all four replicas took part").hasSize(4);
        }
    }
}
