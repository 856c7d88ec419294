package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AnsweredAttemptsTest {

    @Test
    void shouldAnswerTheDecisionOfAnAttemptAlreadyAnswered() {
        AnsweredAttempts answered = new AnsweredAttempts(10);
        answered.answered("inv-1", 1, Decision.RETRY);

        assertThat(answered.decisionOf("inv-1", 1)).isEqualTo(Decision.RETRY);
    }

    @Test
    void shouldTreatTheNextAttemptOfTheSameInvocationAsNew() {
        AnsweredAttempts answered = new AnsweredAttempts(10);
        answered.answered("inv-1", 1, Decision.RETRY);

        assertThat(answered.decisionOf("inv-1", 2)).isNull();
        assertThat(answered.decisionOf("inv-2", 1)).isNull();
    }

    @Test
    void shouldForgetTheOldestFirstWhenFull() {
        AnsweredAttempts answered = new AnsweredAttempts(2);
        answered.answered("a", 1, Decision.DONE);
        answered.answered("b", 1, Decision.DONE);
        answered.answered("c", 1, Decision.DLQ);

        assertThat(answered.decisionOf("a", 1)).isNull();
        assertThat(answered.decisionOf("b", 1)).isEqualTo(Decision.DONE);
        assertThat(answered.decisionOf("c", 1)).isEqualTo(Decision.DLQ);
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new AnsweredAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
