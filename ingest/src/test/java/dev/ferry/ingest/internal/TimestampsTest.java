package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void shouldReadIsoInstantsAndEpochMillis() {
        assertThat(Timestamps.parse("from", "2026-01-01T00:00:00Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("from", "1767225600000")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void shouldAnswer400NamingTheParameterWhenNeither() {
        assertThatThrownBy(() -> Timestamps.parse("to", "yesterday"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("to must be");
                });
    }
}
