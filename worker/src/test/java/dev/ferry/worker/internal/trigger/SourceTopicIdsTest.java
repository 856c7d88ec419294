package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SourceTopicIdsTest {

    private final Map<String, Uuid> broker = new HashMap<>();
    private int asked;
    private final SourceTopicIds ids = new SourceTopicIds(topic -> {
        asked++;
        return broker.get(topic);
    }, "acme/t#0");

    @Test
    void shouldAskTheBrokerOnlyWhenATopicIsNewOrAPartitionGoesBackInOffset() {
        Uuid first = Uuid.randomUuid();
        broker.put("bill", first);

        assertThat(ids.of(record("bill", 0))).isEqualTo(first);
        assertThat(ids.of(record("bill", 1))).isEqualTo(first);
        assertThat(asked).isEqualTo(1);

        assertThat(ids.of(record("bill", 0))).as("a re-read of an unchanged topic keeps its id").isEqualTo(first);
        assertThat(asked).isEqualTo(2);
        assertThat(ids.takeRecreated()).isFalse();
    }

    @Test
    void shouldReportATopicReCreatedUnderTheConsumerOnceWhenItsOffsetsGoBack() {
        // The worker's TriggerIT: a replica that goes on with the producer that committed the old topic's offsets
        // names the deleted id in TxnOffsetCommit and waits its max.block.ms; the replica starts over on this.
        broker.put("bill", Uuid.randomUuid());
        ids.of(record("bill", 0));
        ids.of(record("bill", 1));
        Uuid second = Uuid.randomUuid();
        broker.put("bill", second);

        assertThat(ids.of(record("bill", 0))).isEqualTo(second);
        assertThat(ids.takeRecreated()).isTrue();
        assertThat(ids.takeRecreated()).as("reported once").isFalse();
    }

    @Test
    void shouldTellAPositionPastTheEndOfAReCreatedTopicFromATruncatedLog() {
        Uuid first = Uuid.randomUuid();
        broker.put("bill", first);
        broker.put("other", Uuid.randomUuid());
        ids.of(record("bill", 5));

        assertThat(ids.recreated("bill")).as("the same topic, its log truncated").isFalse();
        assertThat(ids.recreated("other")).as("a topic never read: nothing to compare").isFalse();
        assertThat(ids.takeRecreated()).isFalse();

        broker.put("bill", Uuid.randomUuid());
        assertThat(ids.recreated("bill")).isTrue();
        assertThat(ids.takeRecreated()).isTrue();
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset) {
        return new ConsumerRecord<>(topic, 0, offset, new byte[0], new byte[0]);
    }
}
