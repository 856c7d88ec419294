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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(120)
class OrderedDeliveryIT {

    private static final int KEYS = 24;
    private static final int PER_KEY = 40;

    @Test
    void shouldKeepPerKeyOrderWhenTwoReplicasRunFourPartitionsConcurrently(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            FunctionRef ref = new FunctionRef("acme", "ordered");
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA,
                    OrderRecorder.class.getName()).setDelivery(Delivery.ORDERED).setPartitions(4).setConcurrency(8)
                    .build();
            List<InvocationRequest> requests = new ArrayList<>();
            for (int seq = 0; seq < PER_KEY; seq++) {
                for (int k = 0; k < KEYS; k++) {
                    requests.add(Harness.request(ref, "key" + k + ":" + seq, "key" + k));
                }
            }

            try (WorkerPool pool = new WorkerPool(spec, context, 2)) {
                harness.send(requests);
                await().atMost(Duration.ofSeconds(60)).until(() -> pool.stats().processed() >= requests.size());
            }

            assertThat(OrderRecorder.STARTS).hasSize(KEYS);
            assertThat(OrderRecorder.STARTS.values()).allSatisfy(starts -> assertThat(starts)
                    .containsExactlyElementsOf(IntStream.range(0, PER_KEY).boxed().toList()));
            assertThat(OrderRecorder.MAX_RUNNING.get()).isGreaterThan(2);
            await().atMost(Duration.ofSeconds(20)).until(() -> requests.stream()
                    .allMatch(r -> !results.of(r.getInvocationId()).isEmpty()));
            assertThat(requests).allSatisfy(r -> assertThat(results.of(r.getInvocationId())).singleElement()
                    .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED));
            long committed = kafka.admin().listConsumerGroupOffsets(harness.topics.workerGroup(ref))
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(OffsetAndMetadata::offset).sum();
            assertThat(committed).as("every offset committed once answered").isEqualTo(requests.size());
            assertThat(results.all().stream().filter(r -> r.getFunction().equals(ref.function()))
                    .map(InvocationResult::getWorker).collect(Collectors.toSet())).hasSize(2);
        }
    }
}
