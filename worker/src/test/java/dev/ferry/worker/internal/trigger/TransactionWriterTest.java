package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TransactionWriterTest {

    private static final DestinationCodec NONE = DestinationCodec.of(null, "none");

    @Test
    void shouldBatchAQuarterMebibytePerPartitionSoACommitIntervalOfOutputsIsOneBatch() {
        Map<String, Object> settings = TransactionWriter.overrides(Map.of(), "tx", 100, NONE);

        assertThat(settings).containsEntry("batch.size", 256 * 1024)
                .containsEntry("linger.ms", 100)
                .containsEntry("transactional.id", "tx")
                .containsEntry("compression.type", "none")
                .containsEntry("max.block.ms", 2 * TransactionWriter.TRANSACTION_TIMEOUT_MS);
    }

    @Test
    void shouldLeaveTheBatchSizeToTheOperatorsPassThroughWhenItSetsOne() {
        Map<String, Object> settings = TransactionWriter.overrides(Map.of("batch.size", 32768), "tx", 100, NONE);

        assertThat(settings).doesNotContainKey("batch.size");
    }
}
