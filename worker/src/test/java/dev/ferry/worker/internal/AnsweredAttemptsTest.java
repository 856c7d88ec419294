package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class AnsweredAttemptsTest {

    @Test
    void shouldAnswerTheDecisionOfARecordAlreadyAnswered() {
        AnsweredAttempts answered = new AnsweredAttempts(10);
        answered.answered(record("work", 0, 7), Decision.RETRY);

        assertThat(answered.decisionOf(record("work", 0, 7))).as("the same record delivered again")
                .isEqualTo(Decision.RETRY);
    }

    @Test
    void shouldTreatAnyOtherRecordAsNewEvenWithTheSameInvocationId() {
        AnsweredAttempts answered = new AnsweredAttempts(10);
        answered.answered(record("work", 0, 7), Decision.DONE);

        // Ids are clients' choice on the Kafka path: another record carrying the same id is not answered.
        assertThat(answered.decisionOf(record("work", 0, 8))).isNull();
        assertThat(answered.decisionOf(record("work", 1, 7))).isNull();
        assertThat(answered.decisionOf(record("other-work", 0, 7))).isNull();
    }

    @Test
    void shouldForgetTheOldestFirstWhenFull() {
        AnsweredAttempts answered = new AnsweredAttempts(2);
        answered.answered(record("work", 0, 1), Decision.DONE);
        answered.answered(record("work", 0, 2), Decision.DONE);
        answered.answered(record("work", 0, 3), Decision.DLQ);

        assertThat(answered.decisionOf(record("work", 0, 1))).isNull();
        assertThat(answered.decisionOf(record("work", 0, 2))).isEqualTo(Decision.DONE);
        assertThat(answered.decisionOf(record("work", 0, 3))).isEqualTo(Decision.DLQ);
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new AnsweredAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A work record carrying the same invocation id wherever it is. */
    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset) {
        return new ConsumerRecord<>(topic, partition, offset, "acme/f".getBytes(), "inv-1".getBytes());
    }
}
