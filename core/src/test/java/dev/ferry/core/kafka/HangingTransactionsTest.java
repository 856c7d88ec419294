package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The age past which a transaction a Ferry producer left open may be aborted (docs/design.md, KIP-664). */
class HangingTransactionsTest {

    @Test
    void shouldTakeFerrysTenSecondsUnlessTheOperatorsTransactionTimeoutIsLonger() {
        assertThat(HangingTransactions.ferryTimeout(config(Map.of()))).isEqualTo(Duration.ofSeconds(10));
        assertThat(HangingTransactions.ferryTimeout(config(Map.of("kafka.transaction.timeout.ms", "60000"))))
                .isEqualTo(Duration.ofMinutes(1));
        // Never below Ferry's own default: a longer wait only delays an abort, a shorter one could abort a live one.
        assertThat(HangingTransactions.ferryTimeout(config(Map.of("kafka.transaction.timeout.ms", "2000"))))
                .isEqualTo(Duration.ofSeconds(10));
    }

    private static FerryConfig config(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1");
        return new FerryConfig(settings);
    }
}
