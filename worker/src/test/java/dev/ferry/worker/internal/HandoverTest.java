package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Which records a retiring pool answers function_deleted, and which it leaves to the function named next. */
class HandoverTest {

    private final List<CompletableFuture<Handover.Reading>> readings = new ArrayList<>();
    private final Handover handover = new Handover("acme/reborn", () -> {
        CompletableFuture<Handover.Reading> reading = new CompletableFuture<>();
        readings.add(reading);
        return reading;
    });

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset) {
        return new ConsumerRecord<>("work", partition, offset, null, null);
    }

    private static Handover.Reading free(Long... workEnds) {
        return new Handover.Reading(List.of(workEnds), false);
    }

    @Test
    void shouldAnswerTheWholeBacklogBelowTheEndsOfOneReadingThatFoundTheNameFree() {
        CompletableFuture<Boolean> first = handover.owns(record(0, 0));
        CompletableFuture<Boolean> meanwhile = handover.owns(record(1, 3));
        assertThat(first).isNotDone();
        assertThat(readings).as("one reading at a time").hasSize(1);
        readings.get(0).complete(free(100L, 50L));
        assertThat(first).isCompletedWithValue(true);
        assertThat(meanwhile).isCompletedWithValue(true);

        assertThat(handover.owns(record(0, 99))).as("no reading needed").isCompletedWithValue(true);
        assertThat(readings).hasSize(1);
    }

    @Test
    void shouldReadAgainForARecordPastWhatTheLastReadingCovered() {
        CompletableFuture<Boolean> first = handover.owns(record(0, 5));
        readings.get(0).complete(free(10L));
        assertThat(first).isCompletedWithValue(true);

        CompletableFuture<Boolean> later = handover.owns(record(0, 10));
        assertThat(readings).hasSize(2);
        assertThat(later).isNotDone();
        readings.get(1).complete(free(12L));
        assertThat(later).isCompletedWithValue(true);
    }

    @Test
    void shouldReadAgainWhenTheReadingUnderWayStartedBeforeTheRecordWasWritten() {
        CompletableFuture<Boolean> first = handover.owns(record(0, 1));
        CompletableFuture<Boolean> second = handover.owns(record(0, 7));
        readings.get(0).complete(free(5L));
        assertThat(first).isCompletedWithValue(true);
        assertThat(second).isNotDone();
        assertThat(readings).hasSize(2);
        readings.get(1).complete(free(8L));
        assertThat(second).isCompletedWithValue(true);
    }

    @Test
    void shouldHoldWhatIsNotCoveredOnceTheNameIsTakenAndGiveItBackWhenThePoolCloses() {
        handover.owns(record(0, 1));
        readings.get(0).complete(free(4L));
        CompletableFuture<Boolean> fresh = handover.owns(record(0, 4));
        readings.get(1).complete(new Handover.Reading(List.of(5L), true));
        assertThat(fresh).as("held").isNotDone();
        assertThat(handover.owns(record(0, 2))).as("known to be the deleted function's").isCompletedWithValue(true);
        assertThat(handover.owns(record(0, 6))).as("taken stays taken: no new reading").isNotDone();
        assertThat(readings).hasSize(2);

        handover.close();
        assertThat(fresh).isCompletedWithValue(false);
        assertThat(handover.owns(record(0, 9))).isCompletedWithValue(false);
    }

    @Test
    void shouldDecideHeldRecordsByTheLineOfAFunctionOfTheOtherDelivery() {
        CompletableFuture<Boolean> below = handover.owns(record(1, 3));
        CompletableFuture<Boolean> past = handover.owns(record(1, 4));
        readings.get(0).complete(new Handover.Reading(List.of(0L, 0L), true));

        handover.line(List.of(10L, 4L));
        assertThat(below).isCompletedWithValue(true);
        assertThat(past).isCompletedWithValue(false);
        assertThat(handover.owns(record(0, 9))).isCompletedWithValue(true);
        assertThat(handover.owns(record(2, 0))).as("a partition added by the new spec").isCompletedWithValue(false);
    }

    @Test
    void shouldHoldARecordWhenTheCatalogCannotBeRead() {
        CompletableFuture<Boolean> owned = handover.owns(record(0, 1));
        readings.get(0).completeExceptionally(new IllegalStateException("tail closed"));
        assertThat(owned).isNotDone();
        handover.close();
        assertThat(owned).isCompletedWithValue(false);
    }

    @Test
    void shouldAnswerEveryRecordWhenNoCatalogIsFollowed() {
        Handover alone = new Handover("acme/alone", null);
        assertThat(alone.owns(record(3, 1_000))).isCompletedWithValue(true);
        alone.line(List.of(5L));
        assertThat(alone.owns(record(0, 5))).isCompletedWithValue(false);
    }
}
