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

    @Test
    void shouldReleaseWhatRecordsCameToOnlyWithTheirPrefixAndForgetWhatIsHandedOver() {
        PartitionLedger ledger = new PartitionLedger();
        ledger.received(0);
        ledger.received(1);
        ledger.received(2);
        ledger.finished(1, List.of(out("b")), new PartitionLedger.Tally(0, 1, 0));
        ledger.finished(2, List.of(), new PartitionLedger.Tally(1, 0, 0));
        ledger.takePrefix();
        assertThat(ledger.taken()).isEqualTo(PartitionLedger.Tally.NONE);

        ledger.finished(0, List.of(out("a")), new PartitionLedger.Tally(0, 0, 1));
        ledger.takePrefix();
        assertThat(ledger.taken()).isEqualTo(new PartitionLedger.Tally(1, 1, 1));
        assertThat(ledger.taken()).isEqualTo(PartitionLedger.Tally.NONE);

        ledger.received(3);
        ledger.received(4);
        ledger.finished(4, List.of(), new PartitionLedger.Tally(0, 1, 0));
        ledger.truncateFrom(3);
        ledger.received(3);
        ledger.received(4);
        ledger.finished(3, List.of(), PartitionLedger.Tally.NONE);
        ledger.finished(4, List.of(), PartitionLedger.Tally.NONE);
        ledger.takePrefix();
        assertThat(ledger.taken()).isEqualTo(PartitionLedger.Tally.NONE);
    }

    @Test
    void shouldCountOnlyTheTalliesOfRecordsKeptWhenTruncatedAfterTheyFinished() {
        PartitionLedger ledger = new PartitionLedger();
        for (long offset = 0; offset < 4; offset++) {
            ledger.received(offset);
        }
        ledger.finished(2, List.of(out("c")), new PartitionLedger.Tally(0, 1, 0));
        ledger.finished(3, List.of(), new PartitionLedger.Tally(1, 0, 0));
        ledger.truncateFrom(2); // handed over: the next owner runs and counts 2 and 3
        ledger.finished(0, List.of(out("a")), new PartitionLedger.Tally(0, 1, 0));
        ledger.finished(1, List.of(), new PartitionLedger.Tally(0, 0, 1));

        assertThat(ledger.takePrefix()).extracting(ProducerRecord::topic).containsExactly("a");
        assertThat(ledger.taken()).isEqualTo(new PartitionLedger.Tally(0, 1, 1));
        assertThat(ledger.committable()).hasValue(2);
    }

    @Test
    void shouldKeepATallyWithItsRecordUntilThePrefixReachesIt() {
        PartitionLedger ledger = new PartitionLedger();
        for (long offset = 0; offset < 3; offset++) {
            ledger.received(offset);
        }
        ledger.finished(1, List.of(out("b")), new PartitionLedger.Tally(0, 1, 0));
        ledger.finished(2, List.of(out("c")), new PartitionLedger.Tally(0, 1, 0));

        assertThat(ledger.takePrefix()).isEmpty();
        assertThat(ledger.taken()).isEqualTo(PartitionLedger.Tally.NONE);
        ledger.finished(0, List.of(out("a")), new PartitionLedger.Tally(1, 0, 0));
        assertThat(ledger.takePrefix()).extracting(ProducerRecord::topic).containsExactly("a", "b", "c");
        assertThat(ledger.taken()).isEqualTo(new PartitionLedger.Tally(1, 2, 0));
        assertThat(ledger.size()).isZero();
    }
}
