package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StuckTransactionsTest {

    private static final TopicPartition RESULTS_0 = new TopicPartition("ferry.results", 0);
    private static final TopicPartition RESULTS_1 = new TopicPartition("ferry.results", 1);
    private static final TopicPartition INVOCATIONS_0 = new TopicPartition("ferry.invocations", 0);

    private final Map<TopicPartition, StuckTransactions.Ends> ends = new HashMap<>();
    private Instant now = Instant.parse("2026-12-02T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    /** The platform's own rule: Ferry's 10 s transactions plus 30 s on its topics, 15 min plus 30 s on invocations. */
    private final StuckTransactions watch = StuckTransactions.forFerry(topics -> Map.copyOf(ends),
            FerryConfig.defaults(), clock);

    private void look(Duration later) {
        now = now.plus(later);
    }

    @Test
    void shouldReportAPartitionWhoseStableOffsetStaysBelowItsEndLongerThanAnyTransaction() {
        ends.put(RESULTS_0, new StuckTransactions.Ends(100, 140));
        ends.put(RESULTS_1, new StuckTransactions.Ends(500, 500));
        assertThat(watch.problem()).isEmpty();
        look(Duration.ofSeconds(30));
        assertThat(watch.problem()).as("40 s is within a transaction and the slack").isEmpty();
        look(Duration.ofSeconds(11));
        assertThat(watch.problem()).hasValueSatisfying(problem -> assertThat(problem)
                .contains("ferry.results-0 at offset 100 (end 140) for 41 s").contains("KIP-664")
                .contains("kafka-transactions.sh").doesNotContain("ferry.results-1"));

        // Aborted: the stable offset reaches the end, and the partition is no longer named.
        ends.put(RESULTS_0, new StuckTransactions.Ends(141, 141));
        look(Duration.ofSeconds(30));
        assertThat(watch.problem()).isEmpty();
    }

    @Test
    void shouldNotReportAPartitionUnderSteadyTransactionalLoadWhoseStableOffsetMoves() {
        for (int i = 0; i < 20; i++) {
            ends.put(RESULTS_0, new StuckTransactions.Ends(100L * i, 100L * i + 60));
            assertThat(watch.problem()).as("look %d", i).isEmpty();
            look(Duration.ofSeconds(30));
        }
    }

    @Test
    void shouldWaitForAnyProducersLongestTransactionOnInvocationsWhichAnyoneMayWrite() {
        ends.put(INVOCATIONS_0, new StuckTransactions.Ends(7, 9));
        assertThat(watch.problem()).isEmpty();
        look(Duration.ofMinutes(15));
        assertThat(watch.problem()).as("a user's producer may hold a transaction 15 min").isEmpty();
        look(Duration.ofSeconds(31));
        assertThat(watch.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("ferry.invocations-0"));
    }

    @Test
    void shouldStartCountingAgainWhenTheStableOffsetMovesToAnotherOpenTransaction() {
        ends.put(RESULTS_0, new StuckTransactions.Ends(100, 140));
        watch.problem();
        look(Duration.ofSeconds(35));
        ends.put(RESULTS_0, new StuckTransactions.Ends(120, 160));
        assertThat(watch.problem()).isEmpty();
        look(Duration.ofSeconds(35));
        assertThat(watch.problem()).isEmpty();
        look(Duration.ofSeconds(10));
        assertThat(watch.problem()).isPresent();
    }

    @Test
    void shouldAnswerWithTheLookupsFailure() {
        StuckTransactions failing = StuckTransactions.forFerry(topics -> {
            throw new FerryException("Cannot list the offsets of [ferry.results]: timed out");
        }, FerryConfig.defaults());
        assertThatThrownBy(failing::problem).hasMessageContaining("timed out");
        assertThat(StuckTransactions.forFerry(topics -> {
            assertThat(topics).contains("ferry.results", "ferry.invocations", "ferry.usage")
                    .noneMatch(topic -> topic.contains(".work."));
            return Map.of();
        }, FerryConfig.defaults()).problem()).isEmpty();
    }
}
