package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerPublisher;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import io.micrometer.core.instrument.FunctionCounter;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trigger service follows ferry.triggers and ferry.functions (issue 14 part 2): a trigger gets a pool once its
 * function is deployed; disabling pauses it (the group keeps its position, enabling continues from it); an update
 * takes effect live; deleting stops it and removes its meters.
 */
@FerryKafkaTest
@Timeout(180)
class TriggerServiceIT {

    @Test
    void shouldPauseResumeUpdateAndDeleteTriggersWhenFollowingTheDirectories(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config);
                FunctionPublisher functions = new FunctionPublisher(harness.clients, harness.topics,
                        harness.serdes.serializer(FunctionSpec.class));
                TriggerPublisher triggers = new TriggerPublisher(harness.clients, harness.topics,
                        harness.serdes.serializer(TriggerSpec.class));
                FunctionDirectory functionDirectory = new FunctionDirectory(harness.clients, harness.topics,
                        harness.serdes.deserializer(FunctionSpec.class)).start();
                TriggerDirectory triggerDirectory = new TriggerDirectory(harness.clients, harness.topics,
                        harness.serdes.deserializer(TriggerSpec.class)).start();
                TriggerService service = new TriggerService(context, functionDirectory, triggerDirectory, 1)
                        .start()) {
            String source = kit.topic("svc-in", 2);
            String first = kit.topic("svc-first", 1);
            String second = kit.topic("svc-second", 1);
            List<ConsumerRecord<byte[], byte[]>> firstOut = kit.read(first);
            List<ConsumerRecord<byte[], byte[]>> secondOut = kit.read(second);
            TriggerRef ref = new TriggerRef("acme", "svc");
            TriggerSpec spec = TriggerSpecs.builder("acme", "svc", "enrich-svc", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON)
                    .setDestination(first).build();

            triggers.put(spec);
            kit.produce(source, TriggerFixture.keys(50, 5), TriggerFixture.values(50));
            assertThat(triggerDirectory.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(service.pool(ref)).as("no pool before its function is deployed").isEmpty();

            functions.deploy(TriggerFixture.enrich("acme", "enrich-svc", 2, 3));
            await().atMost(Duration.ofSeconds(60)).until(() -> firstOut.size() >= 50);
            assertThat(service.pool(ref).orElseThrow().replicas()).isEqualTo(1);

            triggers.put(TriggerSpec.newBuilder(spec).setEnabled(false).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(ref).isEmpty());
            kit.produce(source, TriggerFixture.keys(20, 5), IntStream.range(50, 70).mapToObj(i -> "{\"n\":" + i + "}")
                    .toList());

            TriggerSpec resumed = TriggerSpec.newBuilder(spec).setDestination(second).build();
            triggers.put(resumed);
            await().atMost(Duration.ofSeconds(60)).until(() -> secondOut.size() >= 20);
            assertThat(secondOut).as("enabled again, it continues where it paused").hasSize(20)
                    .allSatisfy(out -> assertThat(TriggerKit.value(out)).matches(".*\"n\":(5\\d|6\\d).*"));
            assertThat(firstOut).hasSize(50);
            assertThat(answered(ref)).isEqualTo(20.0);

            triggers.put(TriggerSpec.newBuilder(resumed).setDestination(first).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(ref).orElseThrow().spec()
                    .getDestination().equals(first));
            kit.produce(source, TriggerFixture.keys(10, 5), IntStream.range(70, 80).mapToObj(i -> "{\"n\":" + i + "}")
                    .toList());
            await().atMost(Duration.ofSeconds(60)).until(() -> firstOut.size() >= 60);
            assertThat(firstOut).as("the update took effect live").hasSize(60);
            assertThat(secondOut).hasSize(20);

            triggers.remove(ref);
            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(ref).isEmpty());
            assertThat(FerryMetrics.registry().find("ferry.trigger.records").tag("trigger", "svc").meters())
                    .as("a deleted trigger leaves no series").isEmpty();
        }
    }

    private static double answered(TriggerRef ref) {
        FunctionCounter counter = FerryMetrics.registry().find("ferry.trigger.records")
                .tags("tenant", ref.tenant(), "trigger", ref.name(), "outcome", "answered").functionCounter();
        return counter == null ? -1 : counter.count();
    }
}
