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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker that stops while a function runs gives the record back instead of failing the attempt: a user's
 * restart of {@code ferry dev} turned a running call into a FAILED, billed attempt 1 ("sleep interrupted") and a
 * retry, and with {@code maxAttempts} 1 it would have failed the call outright.
 */
@FerryKafkaTest
@Timeout(150)
class WorkerStopIT {

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void shouldRunTheSameAttemptAgainWhenTheWorkerStopsWhileItRuns(Delivery delivery, KafkaFixture kafka) {
        try (Harness harness = new Harness(kafka); WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            FunctionRef ref = new FunctionRef("acme", "stopped-" + delivery.name().toLowerCase());
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "sleep")
                    .setDelivery(delivery).setMaxAttempts(1).build();
            InvocationRequest request = Harness.request(ref, "{\"ms\": 3000}", "k");

            WorkerPool first = new WorkerPool(spec, context, 1);
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(60)).until(() -> first.stats().inFlight() == 1);
            first.close(Duration.ofMillis(200)); // shorter than the run: the stop interrupts it

            try (WorkerPool second = new WorkerPool(spec, context, 1)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> !results.of(request.getInvocationId()).isEmpty());
            }
            List<InvocationResult> answered = results.of(request.getInvocationId());
            assertThat(answered).as("one result: the stopped run wrote none").singleElement().satisfies(result -> {
                assertThat(result.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
                assertThat(result.getAttempt()).as("the same attempt, run again").isEqualTo(1);
            });
        }
    }
}
