package dev.ferry.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplesTest {

    @Test
    void shouldTakeTheMiddleValueWhenTheCountIsOdd() {
        assertThat(Samples.of(30, 10, 20).median()).isEqualTo(20);
    }

    @Test
    void shouldAverageTheTwoMiddleValuesWhenTheCountIsEven() {
        assertThat(Samples.of(40, 10, 20, 30).median()).isEqualTo(25);
    }

    @Test
    void shouldCallARunNoisyWhenARepetitionStraysMoreThanFifteenPercent() {
        assertThat(Samples.of(100, 101, 99).noisy()).isFalse();
        assertThat(Samples.of(100, 120, 100).noisy()).isTrue();
    }

    @Test
    void shouldPrintPlainDecimalsWhenNumbersAreLargeOrSmall() {
        assertThat(Format.number(1_234_567)).isEqualTo("1230000");
        assertThat(Format.number(0.000123456)).isEqualTo("0.000123");
        assertThat(Format.ratio(0.8666)).isEqualTo("0.87");
    }
}
