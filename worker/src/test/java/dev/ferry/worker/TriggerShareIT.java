package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code NONE} trigger reads its source with a share group (DESIGN "Triggers", Ordering): four replicas serve
 * one partition at once, and every record is answered at least once.
 */
@FerryKafkaTest
@Timeout(180)
class TriggerShareIT {

    private static final int COUNT = 400;

    @Test
    void shouldServeOnePartitionWithFourReplicasAtOnceWhenOrderingIsNone(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            Harness.Results results = harness.results();
            String source = kit.topic("shared-in", 1);
            // A codec of the user's own: each replica writes lz4 with a producer of its own (issue 16).
            String destination = kit.topic("shared-out", 1, Map.of("compression.type", "lz4"));
            kit.produce(source, TriggerFixture.keys(COUNT, 1), TriggerFixture.values(COUNT));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            TriggerSpec spec = TriggerSpecs.builder("acme", "shared", "enrich-s", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setOrdering(TriggerOrdering.NONE).setDestination(destination).build();
            FunctionSpec function = FunctionSpec.newBuilder(TriggerFixture.enrich("acme", "enrich-s", 2, 3))
                    .setEnv(Map.of("sleepMs", "20")).build();
            try (TriggerPool pool = new TriggerPool(spec, function, context, 4)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> outputs.stream().map(TriggerKit::source)
                        .collect(Collectors.toSet()).size() >= COUNT);
                // A record counts as answered once acknowledged, which follows its output's write: a moment later.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(pool.stats().answered()).isGreaterThanOrEqualTo(COUNT));
            }
            Set<String> sources = outputs.stream().map(TriggerKit::source).collect(Collectors.toSet());
            assertThat(sources).isEqualTo(IntStream.range(0, COUNT).mapToObj(i -> source + "-0@" + i)
                    .collect(Collectors.toSet()));
            List<InvocationResult> mine = TriggerFixture.ofFunction(results, "enrich-s");
            assertThat(mine.stream().map(InvocationResult::getWorker).collect(Collectors.toSet()))
                    .as("four replicas served the one partition").containsExactlyInAnyOrderElementsOf(
                            IntStream.range(0, 4).mapToObj(i -> context.workerName() + "#shared#" + i).toList());
        }
    }
}
