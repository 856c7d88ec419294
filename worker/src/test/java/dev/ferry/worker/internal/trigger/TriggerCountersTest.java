package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * READ counts records, not fetches (tester 10, finding 7c: READ 6499 for a topic of 6000 records, all answered, as
 * replicas started over and fetched the same records again).
 */
class TriggerCountersTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    @Test
    void shouldCountARecordFetchedAgainByAnyReplicaOfThePoolOnce() {
        TriggerCounters pool = new TriggerCounters();
        TriggerCounters first = new TriggerCounters(pool);
        TriggerCounters second = new TriggerCounters(pool);
        for (long offset = 0; offset < 10; offset++) {
            first.read(P0, offset);
        }
        // Starting over after an error (or an aborted transaction) fetches 5..9 again; a rebalance moves P0.
        for (long offset = 5; offset < 12; offset++) {
            first.read(P0, offset);
        }
        for (long offset = 8; offset < 15; offset++) {
            second.read(P0, offset);
        }
        second.read(P1, 0);

        assertThat(pool.read()).isEqualTo(16);
        assertThat(first.read()).isEqualTo(12);
        assertThat(second.read()).isEqualTo(4);
    }

    @Test
    void shouldCountAShareRecordAtItsFirstDeliveryOnly() {
        TriggerCounters pool = new TriggerCounters();
        TriggerCounters replica = new TriggerCounters(pool);
        for (short delivery : new short[] {1, 2, 3}) {
            replica.readDelivery(new ConsumerRecord<>("orders", 0, 7L, 0L, TimestampType.CREATE_TIME, 0, 0, null,
                    new byte[0], new RecordHeaders(), Optional.empty(), Optional.of(delivery)));
        }
        replica.readDelivery(new ConsumerRecord<>("orders", 0, 8L, null, new byte[0]));

        assertThat(replica.read()).isEqualTo(2);
        assertThat(pool.read()).isEqualTo(2);
    }
}
