package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void shouldCommitNothingWhenNothingWasReceived() {
        assertThat(new OffsetTracker().committable()).isEmpty();
    }

    @Test
    void shouldStopAtTheLowestUnansweredWhenLaterOnesFinishFirst() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.received(10);
        tracker.received(11);
        tracker.received(14);

        tracker.answered(11);
        tracker.answered(14);
        assertThat(tracker.committable()).hasValue(10);

        tracker.answered(10);
        assertThat(tracker.committable()).hasValue(15);
    }

    /** Issue 11: a record at 4 and its transaction's marker at 5; the group must end at 6, not at 5. */
    @Test
    void shouldCommitThePositionPastTheMarkerWhenEverythingIsAnswered() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.received(4);
        tracker.fetchedTo(6);
        assertThat(tracker.committable()).hasValue(4);

        tracker.answered(4);
        assertThat(tracker.committable()).hasValue(6);
    }

    @Test
    void shouldCommitThePositionWhenOnlyMarkersWereFetched() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.fetchedTo(8);
        tracker.fetchedTo(7); // an older position changes nothing
        assertThat(tracker.committable()).hasValue(8);
        tracker.received(9);
        assertThat(tracker.committable()).hasValue(9);
    }

    @Test
    void shouldRefuseAnAnswerWhenTheOffsetWasNeverReceived() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.received(3);
        assertThatThrownBy(() -> tracker.answered(4)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Offsets arrive in order with gaps (transaction markers), interleaved with answers in any order; after every
     * step the committable offset is never past an unanswered one, and reaches the end once all are answered.
     */
    @Property
    void shouldNeverCommitPastAnUnansweredOffsetWhenAnswersComeInAnyOrder(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 3) Integer> gaps,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Long> offsets = new ArrayList<>();
        long offset = random.nextInt(1000);
        for (int gap : gaps) {
            offsets.add(offset);
            offset += gap;
        }
        OffsetTracker tracker = new OffsetTracker();
        TreeSet<Long> unanswered = new TreeSet<>();
        List<Long> answerable = new ArrayList<>();
        int next = 0;
        while (next < offsets.size() || !answerable.isEmpty()) {
            if (next < offsets.size() && (answerable.isEmpty() || random.nextBoolean())) {
                tracker.received(offsets.get(next));
                unanswered.add(offsets.get(next));
                answerable.add(offsets.get(next));
                next++;
            } else {
                Collections.shuffle(answerable, random);
                long answered = answerable.remove(answerable.size() - 1);
                tracker.answered(answered);
                unanswered.remove(answered);
            }
            long committable = tracker.committable().orElseThrow();
            if (!unanswered.isEmpty()) {
                assertThat(committable).isEqualTo(unanswered.first());
            } else {
                assertThat(committable).isEqualTo(offsets.get(next - 1) + 1);
            }
        }
        assertThat(tracker.committable()).hasValue(offsets.get(offsets.size() - 1) + 1);
        assertThat(tracker.unansweredCount()).isZero();
    }
}
