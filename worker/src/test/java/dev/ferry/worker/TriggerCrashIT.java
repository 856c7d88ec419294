package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once outputs across crashes (DESIGN "Triggers", Guarantees; issue 14 part 2): the JVM running a trigger
 * is killed with SIGKILL in the middle of a load, a fresh one takes over, and the destination, read committed,
 * holds every output exactly once, in source order, each with its ferry.source.* headers.
 */
@FerryKafkaTest
@Timeout(300)
class TriggerCrashIT {

    private static final int COUNT = 10_000;

    @Test
    void shouldWriteEachOutputExactlyOnceWhenThePartitionTriggerProcessIsKilledTwice(KafkaFixture kafka)
            throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka)) {
            String source = kit.topic("crash-in", 6);
            String destination = kit.topic("crash-out", 6);
            kit.produce(source, TriggerFixture.keys(COUNT, 100), TriggerFixture.values(COUNT));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);

            killMidRun(kafka, harness, "crash", source, destination, TriggerOrdering.PARTITION, 6, outputs, 1_500);
            killMidRun(kafka, harness, "crash", source, destination, TriggerOrdering.PARTITION, 6, outputs, 4_500);
            finish(kafka, harness, kit, "crash", source, destination, TriggerOrdering.PARTITION, 6, outputs);

            TriggerFixture.assertOncePerRecordInOrder(outputs, source, COUNT);
            assertThat(outputs).allSatisfy(out -> assertThat(TriggerKit.value(out)).contains("\"enriched\":true"));
        }
    }

    @Test
    void shouldKeepKeyOrderAndRepeatNoOutputWhenAKeyTriggerProcessIsKilled(KafkaFixture kafka) throws Exception {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka)) {
            String source = kit.topic("keyed-in", 2);
            String destination = kit.topic("keyed-out", 4);
            kit.produce(source, TriggerFixture.keys(COUNT, 40), TriggerFixture.values(COUNT));
            List<ConsumerRecord<byte[], byte[]>> outputs = kit.read(destination);

            killMidRun(kafka, harness, "keyed", source, destination, TriggerOrdering.KEY, 8, outputs, 3_000);
            finish(kafka, harness, kit, "keyed", source, destination, TriggerOrdering.KEY, 8, outputs);

            assertThat(outputs.stream().map(TriggerKit::source)).doesNotHaveDuplicates().hasSize(COUNT);
            Map<String, Long> lastOfKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> out : outputs) {
                String key = new String(out.key(), java.nio.charset.StandardCharsets.UTF_8);
                long offset = Long.parseLong(TriggerKit.header(out, TriggerRecords.SOURCE_OFFSET));
                assertThat(offset).as("order of key %s", key).isGreaterThan(lastOfKey.getOrDefault(key, -1L));
                lastOfKey.put(key, offset);
            }
            assertThat(lastOfKey).hasSize(40);
        }
    }

    private static void killMidRun(KafkaFixture kafka, Harness harness, String name, String source,
            String destination, TriggerOrdering ordering, int concurrency,
            List<ConsumerRecord<byte[], byte[]>> outputs, int atLeast) throws Exception {
        // The next child gets the killed one's partitions once its session ends: 3 s, not the broker's 10.
        kafka.shortestSessions(List.of(TriggerSpecs.group(TriggerChild.spec(name, source, destination, ordering),
                harness.topics)));
        Process child = startChild(kafka, harness, name, source, destination, ordering, concurrency);
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= atLeast);
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(outputs.size()).as("the child was killed mid-run").isLessThan(COUNT);
    }

    private static void finish(KafkaFixture kafka, Harness harness, TriggerKit kit, String name, String source,
            String destination, TriggerOrdering ordering, int concurrency,
            List<ConsumerRecord<byte[], byte[]>> outputs) throws Exception {
        String group = TriggerSpecs.group(TriggerChild.spec(name, source, destination, ordering), harness.topics);
        Process child = startChild(kafka, harness, name, source, destination, ordering, concurrency);
        try {
            await().atMost(Duration.ofSeconds(150)).until(() -> outputs.size() >= COUNT
                    && kit.caughtUp(group, source));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    private static Process startChild(KafkaFixture kafka, Harness harness, String name, String source,
            String destination, TriggerOrdering ordering, int concurrency) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = new File("target/trigger-crash-child-" + name + ".log");
        // C1 only and the serial collector, as the system tests start Ferry's processes: a short-lived child on a
        // 2-core machine starts sooner without C2 and GC threads competing with the broker and the test JVM.
        return new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"),
                TriggerChild.class.getName(), kafka.bootstrapServers(), kafka.schemaRegistryUrl(),
                harness.config.topicPrefix(), name, source, destination, ordering.name(),
                String.valueOf(concurrency))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }
}
