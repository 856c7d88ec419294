package dev.ferry.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.bench.internal.PairedRatios.Verdict;
import org.junit.jupiter.api.Test;

class PairedRatiosTest {

    @Test
    void shouldMeetAFloorWhenEveryOneOfFivePairsClearsIt() {
        PairedRatios pairs = PairedRatios.of(Samples.of(90, 88, 95, 86, 87), Samples.of(100, 100, 100, 100, 100));

        assertThat(pairs.decide(0.85, true)).isEqualTo(Verdict.MET);
        assertThat(pairs.describe(0.85, true)).isEqualTo("paired ratios 0.86-0.95, 5 of 5 ≥ 0.85");
    }

    @Test
    void shouldLeaveTheGoalUndecidedWhenThePairsFallOnBothSides() {
        PairedRatios pairs = PairedRatios.of(Samples.of(90, 80, 95, 86, 87), Samples.of(100, 100, 100, 100, 100));

        assertThat(pairs.decide(0.85, true)).isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void shouldMissACeilingWhenEveryPairIsAboveIt() {
        PairedRatios pairs = PairedRatios.of(Samples.of(70, 80, 75, 86, 60), Samples.of(100, 100, 100, 100, 100));

        assertThat(pairs.decide(0.5, false)).isEqualTo(Verdict.MISSED);
    }

    @Test
    void shouldDecideNothingFromThreePairsBecauseChanceAloneGivesThemOneSideOnceInEight() {
        PairedRatios pairs = PairedRatios.of(Samples.of(1, 1, 1), Samples.of(10, 10, 10));

        assertThat(pairs.decide(0.5, false)).isEqualTo(Verdict.UNDECIDED);
        assertThat(PairedRatios.atLeastByChance(3, 3)).isEqualTo(0.125);
        assertThat(PairedRatios.atLeastByChance(5, 5)).isEqualTo(1 / 32.0);
    }

    @Test
    void shouldRefuseRepetitionsThatDoNotPair() {
        assertThatThrownBy(() -> PairedRatios.of(Samples.of(1, 2), Samples.of(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCallAPairedOutcomeMissedWhenItsConditionFailsWhateverTheRatio() {
        Outcome outcome = Outcome.paired("s", "u", Samples.of(1, 1, 1, 1, 1), Samples.of(10, 10, 10, 10, 10), false,
                0.5, "d");

        assertThat(outcome.verdict()).isEqualTo(Verdict.MET);
        assertThat(outcome.ratio()).isEqualTo(0.1);
        assertThat(outcome.withCondition("no more replica-seconds", false).verdict()).isEqualTo(Verdict.MISSED);
        assertThat(outcome.withCondition("no more replica-seconds", Verdict.UNDECIDED).verdict())
                .isEqualTo(Verdict.UNDECIDED);
    }
}
