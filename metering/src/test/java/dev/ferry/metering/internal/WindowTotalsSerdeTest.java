package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class WindowTotalsSerdeTest {

    @Test
    void shouldRoundTripEveryFieldWhenTotalsAreClosed() {
        WindowTotals totals = new WindowTotals("acme", "resize", 1_000, 2_000, 7, 2, 900, 115_200,
                new BigDecimal("0.0000123457"), new Uptime(600, 2, 400, 1));
        WindowTotalsSerde serde = new WindowTotalsSerde();
        byte[] bytes = serde.serializer().serialize("t", totals);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(totals);
    }
}
