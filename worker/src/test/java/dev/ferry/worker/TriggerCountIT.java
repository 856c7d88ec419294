package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trigger counts a record answered only once the transaction holding it commits (DESIGN "Triggers", status
 * counts): a KEY trigger whose first record is slow finishes the other keys' records early, but they wait behind it
 * in the partition's ledger, uncommitted, and so uncounted; a crash then would re-run them, and they count once.
 */
@FerryKafkaTest
@Timeout(240)
class TriggerCountIT {

    @Test
    void shouldCountRecordsOnlyOnceTheirTransactionCommits(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("counted", 1);
            String destination = kit.topic("counted-out", 1);
            kit.produce(source, IntStream.range(0, 10).mapToObj(i -> "k" + i).toList(), TriggerFixture.values(10));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);
            FunctionSpec function = FunctionSpecs.builder("acme", "slow-first", Runtime.JAVA,
                    SlowFirstFunction.class.getName()).setConcurrency(4).setMaxAttempts(1).setTimeoutMs(60_000)
                    .setEnv(Map.of("slowMs", "60000")).build();
            TriggerSpec spec = TriggerSpecs.builder("acme", "counted", "slow-first", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setOrdering(TriggerOrdering.KEY).setDestination(destination).build();
            SlowFirstFunction.FINISHED.set(0);
            SlowFirstFunction.gate = new CountDownLatch(1);
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> SlowFirstFunction.FINISHED.get() >= 9);
                // Nine records are finished but wait behind offset 0: nothing committed, nothing counted.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> pool.stats().answered() == 0 && outputs.isEmpty());
                SlowFirstFunction.gate.countDown();
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 10
                        && kit.caughtUp(TriggerSpecs.group(spec, harness.topics), source));
                assertThat(pool.stats()).isEqualTo(new TriggerStats(10, 0, 10, 0));
            }
        }
    }
}
