package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metering.internal.Uptime.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class UptimeTest {

    @Test
    void shouldBeFullyAvailableWhenNothingFailed() {
        Uptime uptime = Uptime.of(List.of(new Point(0, false), new Point(10, false)), 100);
        assertThat(uptime).isEqualTo(new Uptime(100, 1, 0, 0));
        assertThat(uptime.availability()).isEqualTo(1.0);
    }

    @Test
    void shouldBeFullyAvailableWhenNothingRan() {
        assertThat(Uptime.of(List.of(), 100).availability()).isEqualTo(1.0);
    }

    @Test
    void shouldBeUnavailableWhenOnlyFailuresHappened() {
        Uptime uptime = Uptime.of(List.of(new Point(5, true), new Point(50, true)), 100);
        assertThat(uptime).isEqualTo(new Uptime(0, 0, 95, 1));
        assertThat(uptime.availability()).isEqualTo(0.0);
    }

    @Test
    void shouldTakeMeanRunLengthsWhenStatesAlternate() {
        // up 0-10, down 10-30, up 30-40, down 40-100
        Uptime uptime = Uptime.of(List.of(new Point(0, false), new Point(10, true), new Point(20, true),
                new Point(30, false), new Point(40, true)), 100);
        assertThat(uptime).isEqualTo(new Uptime(20, 2, 80, 2));
        assertThat(uptime.availability()).isEqualTo(10.0 / (10.0 + 40.0));
    }

    @Test
    void shouldAddRunsWhenRollingUp() {
        Uptime sum = new Uptime(10, 1, 0, 0).plus(new Uptime(20, 1, 30, 1));
        assertThat(sum).isEqualTo(new Uptime(30, 2, 30, 1));
        assertThat(sum.availability()).isEqualTo(15.0 / (15.0 + 30.0));
    }
}
