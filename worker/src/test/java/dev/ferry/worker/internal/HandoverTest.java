package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Which records a retiring pool answers function_deleted, and which it leaves to the function named next. */
class HandoverTest {

    private final List<CompletableFuture<Boolean>> reads = new ArrayList<>();
    private final Handover handover = new Handover("acme/reborn", () -> {
        CompletableFuture<Boolean> read = new CompletableFuture<>();
        reads.add(read);
        return read;
    });

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset) {
        return new ConsumerRecord<>("work", partition, offset, null, null);
    }

    @Test
    void shouldAnswerARecordWhenTheCatalogReadAfterItArrivedHoldsNoFunctionOfTheName() {
        CompletableFuture<Boolean> owned = handover.owns(record(0, 5), System.nanoTime());
        assertThat(owned).isNotDone();
        reads.get(0).complete(false);
        assertThat(owned).isCompletedWithValue(true);
    }

    @Test
    void shouldShareOneCatalogReadAmongRecordsThatArrivedBeforeItStarted() {
        long arrived = System.nanoTime();
        CompletableFuture<Boolean> first = handover.owns(record(0, 1), arrived);
        CompletableFuture<Boolean> second = handover.owns(record(0, 2), arrived);
        assertThat(reads).hasSize(1);
        reads.get(0).complete(false);
        assertThat(first).isCompletedWithValue(true);
        assertThat(second).isCompletedWithValue(true);

        CompletableFuture<Boolean> later = handover.owns(record(0, 3), System.nanoTime());
        assertThat(reads).as("a record that arrived after the read started needs a read of its own").hasSize(2);
        assertThat(later).isNotDone();
    }

    @Test
    void shouldHoldARecordWhileTheNameIsTakenAndGiveItBackWhenThePoolCloses() {
        CompletableFuture<Boolean> owned = handover.owns(record(0, 7), System.nanoTime());
        reads.get(0).complete(true);
        assertThat(owned).as("held").isNotDone();
        assertThat(handover.owns(record(0, 8), System.nanoTime())).as("taken stays taken, no new read").isNotDone();
        assertThat(reads).hasSize(1);

        handover.close();
        assertThat(owned).isCompletedWithValue(false);
        assertThat(handover.owns(record(0, 9), System.nanoTime())).isCompletedWithValue(false);
    }

    @Test
    void shouldDecideHeldRecordsByTheLineOfAFunctionOfTheOtherDelivery() {
        CompletableFuture<Boolean> below = handover.owns(record(1, 3), System.nanoTime());
        CompletableFuture<Boolean> past = handover.owns(record(1, 4), System.nanoTime());
        reads.forEach(read -> read.complete(true));

        handover.line(List.of(10L, 4L));
        assertThat(below).isCompletedWithValue(true);
        assertThat(past).isCompletedWithValue(false);
        assertThat(handover.owns(record(0, 9), System.nanoTime())).isCompletedWithValue(true);
        assertThat(handover.owns(record(2, 0), System.nanoTime())).as("a partition added by the new spec")
                .isCompletedWithValue(false);
    }

    @Test
    void shouldHoldARecordWhenTheCatalogCannotBeRead() {
        CompletableFuture<Boolean> owned = handover.owns(record(0, 1), System.nanoTime());
        reads.get(0).completeExceptionally(new IllegalStateException("tail closed"));
        assertThat(owned).isNotDone();
        handover.close();
        assertThat(owned).isCompletedWithValue(false);
    }
}
