package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LanesTest {

    private static final TopicPartition P0 = new TopicPartition("in", 0);
    private static final long MS = 1_000_000L;

    private static SourceItem item(long offset) {
        return new SourceItem(new ConsumerRecord<>("in", 0, offset, null, new byte[0]), null);
    }

    @Test
    void shouldRunOneBatchPerLaneAtATimeInOffsetOrder() {
        Lanes lanes = new Lanes(2, 0, 4);
        Lanes.LaneId lane = new Lanes.LaneId(P0, null);
        for (long offset = 0; offset < 5; offset++) {
            lanes.add(lane, item(offset), 0);
        }
        List<Lanes.Batch> first = lanes.startable(0);
        assertThat(first).singleElement().extracting(b -> b.items().stream().map(SourceItem::offset).toList())
                .isEqualTo(List.of(0L, 1L));
        assertThat(lanes.startable(0)).as("the lane runs a batch already").isEmpty();
        lanes.finished(first.get(0));
        assertThat(lanes.startable(0)).singleElement().extracting(b -> b.items().get(0).offset()).isEqualTo(2L);
    }

    @Test
    void shouldWaitForTheBatchWindowBeforeRunningAnUnfilledBatch() {
        Lanes lanes = new Lanes(10, 50, 1);
        lanes.add(new Lanes.LaneId(P0, null), item(0), 0);
        assertThat(lanes.startable(49 * MS)).isEmpty();
        assertThat(lanes.startable(50 * MS)).singleElement().extracting(b -> b.items().size()).isEqualTo(1);
    }

    @Test
    void shouldRunDifferentKeysInParallelUpToTheConcurrency() {
        Lanes lanes = new Lanes(1, 0, 2);
        for (String key : List.of("a", "b", "c")) {
            lanes.add(new Lanes.LaneId(P0, key), item(lanes.waiting()), 0);
        }
        assertThat(lanes.startable(0)).hasSize(2);
        assertThat(lanes.running()).isEqualTo(2);
        assertThat(lanes.waiting()).isEqualTo(1);
    }

    @Test
    void shouldReturnTheLowestDroppedOffsetWhenAPartitionIsHandedOver() {
        Lanes lanes = new Lanes(1, 0, 1);
        lanes.add(new Lanes.LaneId(P0, "a"), item(0), 0);
        lanes.add(new Lanes.LaneId(P0, "b"), item(1), 0);
        lanes.add(new Lanes.LaneId(P0, "a"), item(2), 0);
        lanes.startable(0);
        assertThat(lanes.dropWaiting(P0)).hasValue(1);
        assertThat(lanes.running(P0)).isTrue();
        assertThat(lanes.waiting()).isZero();
    }

    @Test
    void shouldTakeWholeBatchesPerTurnAndPutWhatDidNotRunBackInFront() {
        Lanes lanes = new Lanes(2, 50, 1, 3);
        Lanes.LaneId lane = new Lanes.LaneId(P0, null);
        for (long offset = 0; offset < 9; offset++) {
            lanes.add(lane, item(offset), 0);
        }
        List<Lanes.Batch> turn = lanes.startable(0);
        assertThat(turn).singleElement().extracting(b -> b.items().stream().map(SourceItem::offset).toList())
                .as("three whole batches of two").isEqualTo(List.of(0L, 1L, 2L, 3L, 4L, 5L));
        lanes.finished(turn.get(0), turn.get(0).items().subList(4, 6));
        assertThat(lanes.waiting()).isEqualTo(5);
        List<Lanes.Batch> next = lanes.startable(0);
        assertThat(next).singleElement().extracting(b -> b.items().stream().map(SourceItem::offset).toList())
                .as("what did not run first, and the short rest waits for the window")
                .isEqualTo(List.of(4L, 5L, 6L, 7L));
        lanes.finished(next.get(0));
        assertThat(lanes.startable(0)).isEmpty();
        assertThat(lanes.startable(50 * MS)).singleElement().extracting(b -> b.items().size()).isEqualTo(1);
    }
}
