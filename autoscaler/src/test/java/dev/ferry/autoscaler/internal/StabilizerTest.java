package dev.ferry.autoscaler.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StabilizerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final Stabilizer stabilizer = new Stabilizer(Duration.ofSeconds(30), Duration.ofSeconds(60));

    @Test
    void shouldReleaseDrainReplicasAtOnceButHoldTheSustainedSizeForTheWindow() {
        int size = step(0, 0, 10, 4, true); // 10 asked, 4 of them to keep up with arrivals
        assertThat(size).isEqualTo(10);
        size = step(31, size, 4, 4, true); // past the first window: the 6 drain replicas go
        assertThat(size).isEqualTo(4);
        size = step(32, size, 2, 2, true);
        assertThat(size).as("4 was sustained 1 s ago").isEqualTo(4);
        size = step(63, size, 2, 2, true);
        assertThat(size).isEqualTo(2);
    }

    @Test
    void shouldDoubleTheWindowWhenItScaledDownTooSoonAndHalveItWhenCalm() {
        int size = step(0, 0, 5, 5, true);
        size = step(40, size, 1, 1, true);
        assertThat(size).as("down after the 30 s window").isEqualTo(1);
        size = step(50, size, 5, 5, true); // back up 10 s later: that was a flap
        assertThat(size).isEqualTo(5);
        size = step(85, size, 1, 1, true);
        assertThat(size).as("the window is now 60 s").isEqualTo(5);
        size = step(111, size, 1, 1, true);
        assertThat(size).isEqualTo(1);
        // Ten quiet windows later the window is back to 30 s.
        for (int s = 120; s <= 420; s += 10) {
            size = step(s, size, 1, 1, true);
        }
        size = step(430, size, 5, 5, true);
        size = step(461, size, 1, 1, true);
        assertThat(size).isEqualTo(1);
    }

    @Test
    void shouldGoToMinOnlyAfterTheIdlePeriodAndComeBackFromZeroAtOnce() {
        int size = step(0, 0, 3, 3, true);
        size = step(40, size, 0, 0, false);
        assertThat(size).as("idle only since now").isEqualTo(1);
        size = step(99, size, 0, 0, false);
        assertThat(size).isEqualTo(1);
        size = step(100, size, 0, 0, false);
        assertThat(size).isZero();
        assertThat(step(101, size, 0, 0, true)).as("a record arrived").isEqualTo(1);
    }

    private int step(int second, int current, int recommended, int sustained, boolean busy) {
        return stabilizer.next(current, recommended, sustained, 0, busy, T0.plusSeconds(second)).replicas();
    }
}
