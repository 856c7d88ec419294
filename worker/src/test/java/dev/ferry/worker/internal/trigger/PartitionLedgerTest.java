package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class PartitionLedgerTest {

    private static ProducerRecord<byte[], byte[]> out(String name) {
        return new ProducerRecord<>(name, null);
    }

    @Test
    void shouldEmitOnlyTheContiguousFinishedPrefixWhenLaterRecordsFinishFirst() {
        PartitionLedger ledger = new PartitionLedger();
        ledger.received(10);
        ledger.received(11);
        ledger.received(12);
        ledger.finished(11, List.of(out("b")));
        ledger.finished(12, List.of(out("c")));

        assertThat(ledger.takePrefix()).isEmpty();
        assertThat(ledger.committable()).hasValue(10);

        ledger.finished(10, List.of(out("a")));
        assertThat(ledger.takePrefix()).extracting(ProducerRecord::topic).containsExactly("a", "b", "c");
        assertThat(ledger.committable()).hasValue(13);
    }

    @Test
    void shouldCommitThePositionPastTransactionMarkersWhenEverythingIsEmitted() {
        PartitionLedger ledger = new PartitionLedger();
        ledger.received(0);
        ledger.fetchedTo(2);
        assertThat(ledger.committable()).hasValue(0);
        ledger.finished(0, List.of());
        ledger.takePrefix();
        assertThat(ledger.committable()).hasValue(2);
    }

    @Test
    void shouldHandOverFromTheFirstDroppedRecordWhenTruncated() {
        PartitionLedger ledger = new PartitionLedger();
        for (long offset = 0; offset < 5; offset++) {
            ledger.received(offset);
        }
        ledger.finished(0, List.of(out("a")));
        ledger.finished(3, List.of(out("d")));
        ledger.truncateFrom(2);
        ledger.fetchedTo(5);
        ledger.finished(1, List.of(out("b")));

        assertThat(ledger.takePrefix()).extracting(ProducerRecord::topic).containsExactly("a", "b");
        assertThat(ledger.committable()).hasValue(2);
    }

    @Test
    void shouldHaveNothingToCommitBeforeAnyRecord() {
        assertThat(new PartitionLedger().committable()).isEmpty();
    }
}
