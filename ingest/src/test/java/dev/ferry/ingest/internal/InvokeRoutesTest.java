package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvokeRoutesTest {

    @Test
    void shouldMapARejectionToTheStatusItsReasonCallsFor() {
        assertThat(InvokeRoutes.rejected("unknown function acme/x: it is not deployed (or was removed)").status())
                .isEqualTo(404);
        assertThat(InvokeRoutes.rejected("payload of 9 bytes exceeds the limit of 8 (dispatcher.max.payload.bytes)")
                .status()).isEqualTo(413);
        assertThat(InvokeRoutes.rejected("deadline 2026-01-01T00:00:00Z passed 5 ms before dispatch").status())
                .isEqualTo(400);
        assertThat(InvokeRoutes.rejected(null).status()).isEqualTo(400);
    }
}
