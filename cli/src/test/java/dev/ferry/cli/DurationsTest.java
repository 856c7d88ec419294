package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void shouldReadEveryUnit() {
        assertThat(Durations.parseMillis("--timeout", "250ms")).isEqualTo(250);
        assertThat(Durations.parseMillis("--timeout", "30s")).isEqualTo(30_000);
        assertThat(Durations.parseMillis("--timeout", " 2m")).isEqualTo(120_000);
        assertThat(Durations.parseMillis("--timeout", "1h")).isEqualTo(3_600_000);
    }

    @Test
    void shouldRefuseANumberWithoutAUnitAndSpellOutBothReadings() {
        assertThatThrownBy(() -> Durations.parseMillis("--timeout", "5")).isInstanceOf(CliException.class)
                .hasMessage("--timeout needs a unit: 5s or 5ms (also m, h), got '5'");
    }

    @Test
    void shouldRefuseWhatIsNoDuration() {
        assertThatThrownBy(() -> Durations.parseMillis("--interval", "soon")).isInstanceOf(CliException.class)
                .hasMessageContaining("--interval expects a duration");
    }
}
