package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.internals.WithRetentionPeriod;
import org.junit.jupiter.api.Test;

class CheckpointedWindowStoresTest {

    private final WindowBytesStoreSupplier rocksDb = Stores.persistentTimestampedWindowStore("usage-hours",
            Duration.ofDays(2), Duration.ofHours(1), false);

    @Test
    void shouldLeaveItsOffsetsToStreamsCheckpointFile() {
        WindowStore<Bytes, byte[]> store = CheckpointedWindowStores.of(rocksDb).get();

        @SuppressWarnings("deprecation")
        boolean managesOffsets = store.managesOffsets();
        assertThat(managesOffsets).isFalse();
    }

    /**
     * What Streams 4.4 asks a window store when it restores it from its changelog: without an answer it restores
     * every record, expired or not, and warns "reported no usable retention period" (seen at every dev start).
     */
    @Test
    void shouldReportItsSuppliersRetentionPeriodSoARestoreSkipsExpiredRecords() {
        WindowStore<Bytes, byte[]> store = CheckpointedWindowStores.of(rocksDb).get();

        assertThat(WithRetentionPeriod.resolveRetentionPeriod(store)).isEqualTo(Duration.ofDays(2).toMillis());
    }
}
