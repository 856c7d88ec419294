package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
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

    @Test
    void shouldAgreeWithAnOrderedMapOfTheRecordsOverRandomRuns() {
        // Issue 16: the ledger keeps its records in a ring, not a TreeMap; over random receives (with gaps, as
        // transaction markers leave), finishes in any order (some of unknown offsets), prefixes taken, hand-overs and
        // positions, with thousands of records open at once (the ring grows and wraps), it must say what the map does.
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            PartitionLedger ledger = new PartitionLedger();
            TreeMap<Long, List<ProducerRecord<byte[], byte[]>>> open = new TreeMap<>();
            TreeMap<Long, PartitionLedger.Tally> tallies = new TreeMap<>();
            long next = -1;
            boolean truncated = false;
            int[] taken = new int[3];
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(100);
                if (op < 45) {
                    long offset = Math.max(0, next) + random.nextInt(3);
                    ledger.received(offset);
                    open.put(offset, null);
                    next = offset + 1;
                } else if (op < 80 && next >= 0) {
                    long offset = random.nextInt(10) == 0 ? next + 5
                            : Math.max(0, next - 1 - random.nextInt((int) Math.min(next, 3_000) + 1));
                    List<ProducerRecord<byte[], byte[]>> writes = random.nextBoolean() ? List.of()
                            : List.of(out(seed + "/" + step));
                    PartitionLedger.Tally tally = random.nextBoolean() ? PartitionLedger.Tally.NONE
                            : new PartitionLedger.Tally(random.nextInt(2), random.nextInt(2), random.nextInt(2));
                    ledger.finished(offset, writes, tally);
                    if (open.containsKey(offset)) {
                        open.put(offset, writes);
                        tallies.put(offset, tally);
                    }
                } else if (op < 90) {
                    List<ProducerRecord<byte[], byte[]>> expected = new ArrayList<>();
                    while (!open.isEmpty() && open.firstEntry().getValue() != null) {
                        long first = open.firstKey();
                        expected.addAll(open.remove(first));
                        PartitionLedger.Tally tally = tallies.remove(first);
                        taken[0] += tally.filtered();
                        taken[1] += tally.answered();
                        taken[2] += tally.failed();
                    }
                    assertThat(ledger.takePrefix()).as("seed %d step %d", seed, step).isEqualTo(expected);
                    if (random.nextBoolean()) {
                        assertThat(ledger.taken()).isEqualTo(new PartitionLedger.Tally(taken[0], taken[1], taken[2]));
                        taken = new int[3];
                    }
                } else if (op < 93 && next >= 0) {
                    long offset = Math.max(0, next - random.nextInt(50));
                    ledger.truncateFrom(offset);
                    open.tailMap(offset, true).clear();
                    tallies.tailMap(offset, true).clear();
                    next = open.isEmpty() ? offset : Math.min(next, offset);
                    truncated = true;
                } else if (op < 96 && next >= 0) {
                    long position = next + random.nextInt(3);
                    ledger.fetchedTo(position);
                    if (!truncated) {
                        next = Math.max(next, position);
                    }
                }
                assertThat(ledger.size()).as("seed %d step %d", seed, step).isEqualTo(open.size());
                OptionalLong committable = next < 0 ? OptionalLong.empty()
                        : OptionalLong.of(open.isEmpty() ? next : open.firstKey());
                assertThat(ledger.committable()).as("seed %d step %d", seed, step).isEqualTo(committable);
            }
        }
    }
}
