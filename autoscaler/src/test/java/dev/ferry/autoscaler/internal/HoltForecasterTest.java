package dev.ferry.autoscaler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HoltForecasterTest {

    @Test
    void shouldForecastALevelSeriesAsItsLevel() {
        HoltForecaster holt = HoltForecaster.standard();
        for (int t = 0; t < 50; t++) {
            holt.observe(t, 20);
        }
        assertThat(holt.forecast(10)).isCloseTo(20, within(1e-9));
    }

    @Test
    void shouldForecastARampAheadButDampedWhenTheTrendIsSteady() {
        HoltForecaster holt = HoltForecaster.standard();
        for (int t = 0; t <= 100; t++) {
            holt.observe(t, 2.0 * t); // +2/s every second
        }
        double tenAhead = holt.forecast(10);
        assertThat(tenAhead).isGreaterThan(200).isLessThan(220); // undamped would be ~220
        assertThat(holt.forecast(100)).as("at most phi/(1-phi) = 9 s of trend").isLessThan(220);
    }

    @Test
    void shouldNeverForecastBelowZeroWhenTheRateFalls() {
        HoltForecaster holt = HoltForecaster.standard();
        for (int t = 0; t <= 20; t++) {
            holt.observe(t, Math.max(0, 100 - 10.0 * t));
        }
        assertThat(holt.forecast(30)).isGreaterThanOrEqualTo(0);
    }
}
