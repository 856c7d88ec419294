package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchRunnerIdTest {

    @Test
    void shouldDeriveTheSameIdsAsBeforeWhenTheDigestIsReused() {
        // Ids must never change between versions: metering bills (invocationId, attempt) once, across re-runs.
        for (String name : new String[] {"", "acme/copy/orders/0/0/1", "acme/copy/orders/5/123456789/500",
                "t/ü/topic.with.dots/2/7/1"}) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            assertThat(BatchRunner.nameUuid(bytes)).isEqualTo(UUID.nameUUIDFromBytes(bytes));
            assertThat(BatchRunner.nameUuid(bytes)).isEqualTo(UUID.nameUUIDFromBytes(bytes));
        }
    }
}
