package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.TriggerSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class BatchRunnerIdTest {

    @Test
    void shouldDeriveTheSameIdsAsBeforeWhenTheDigestIsReused() {
        // Ids must never change between versions: metering bills (invocationId, attempt) once, across re-runs.
        for (String name : new String[] {"", "acme/copy/orders/0/0/1", "acme/copy/orders/5/123456789/500",
                "t/ü/topic.with.dots/2/7/1"}) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            assertThat(BatchRunner.nameUuid(bytes)).isEqualTo(UUID.nameUUIDFromBytes(bytes));
            assertThat(BatchRunner.nameUuid(bytes)).isEqualTo(UUID.nameUUIDFromBytes(bytes));
        }
    }

    @Test
    void shouldGiveTheSameCoordinatesOfAnotherTopicIncarnationOrGroupAnotherId() {
        // Tester 12A, finding 3: a re-created topic, or a trigger re-created under another group reading the topic
        // again, runs new invocations at old coordinates; metering bills (invocationId, attempt) once.
        TriggerSpec spec = TriggerSpecs.builder("acme", "copy", "fn", List.of("orders")).build();
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("orders", 0, 7L, null, null);
        Uuid topic = Uuid.randomUuid();
        String id = BatchRunner.invocationId(spec, "g1", topic, record, 1);
        assertThat(BatchRunner.invocationId(spec, "g1", topic, record, 1)).isEqualTo(id);
        assertThat(BatchRunner.invocationId(spec, "g1", Uuid.randomUuid(), record, 1)).isNotEqualTo(id);
        assertThat(BatchRunner.invocationId(spec, "g2", topic, record, 1)).isNotEqualTo(id);
        assertThat(BatchRunner.invocationId(spec, "g1", topic, record, 2)).isNotEqualTo(id);
    }

    @Test
    void shouldDeriveFromCachedBytesTheIdsTheTextGives() {
        // Issue 16: the replica's ids come from each partition's bytes kept between runs, never from the text; a
        // partition, topic or topic incarnation that changes between two runs must change the bytes with it.
        TriggerSpec spec = TriggerSpecs.builder("acmé", "cöpy", "fn", List.of("orders", "refunds")).build();
        InvocationIds ids = new InvocationIds(spec.getTenant(), spec.getName(), "g1");
        Uuid orders = Uuid.randomUuid();
        Uuid recreated = Uuid.randomUuid();
        Object[][] runs = {
            {orders, "orders", 0, 0L, 1}, {orders, "orders", 0, 1L, 1}, {orders, "orders", 3, 1L, 1},
            {orders, "orders", 0, 1023L, 1}, {orders, "orders", 0, 1024L, 500}, {orders, "refunds", 0, 1024L, 500},
            {recreated, "refunds", 0, 1024L, 500}, {recreated, "refunds", 0, 9_876_543_210L, 1_025},
            {orders, "orders", 12, Long.MAX_VALUE, 1}, {orders, "orders", 12, 10L, 1_000_000}};
        for (Object[] run : runs) {
            ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>((String) run[1], (int) run[2],
                    (long) run[3], null, null);
            String expected = BatchRunner.invocationId(spec, "g1", (Uuid) run[0], record, (int) run[4]);
            assertThat(ids.of((Uuid) run[0], record, (int) run[4])).as("run %s", List.of(run)).isEqualTo(expected);
        }
    }

    @Test
    void shouldAskTheTopicIdAgainOnlyWhenAPartitionGoesBackInOffset() {
        List<String> asked = new ArrayList<>();
        Uuid[] current = {Uuid.randomUuid()};
        SourceTopicIds ids = new SourceTopicIds(topic -> {
            asked.add(topic);
            return current[0];
        }, "test");
        Uuid first = current[0];
        assertThat(ids.of(new ConsumerRecord<>("t", 0, 0L, null, null))).isEqualTo(first);
        assertThat(ids.of(new ConsumerRecord<>("t", 0, 1L, null, null))).isEqualTo(first);
        assertThat(ids.of(new ConsumerRecord<>("t", 1, 0L, null, null))).isEqualTo(first);
        assertThat(ids.of(new ConsumerRecord<>("t", 0, 5L, null, null))).isEqualTo(first);
        assertThat(asked).hasSize(1);
        // The topic re-created: its records start again at offset 0.
        current[0] = Uuid.randomUuid();
        assertThat(ids.of(new ConsumerRecord<>("t", 0, 0L, null, null))).isEqualTo(current[0]);
        assertThat(ids.of(new ConsumerRecord<>("t", 1, 1L, null, null))).isEqualTo(current[0]);
        assertThat(asked).hasSize(2);
    }
}
