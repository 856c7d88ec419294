package dev.ferry.metering.internal;

import dev.ferry.schemas.InvocationResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Bills a result in the window its attempt finished in, not the one it happened to be written or read in, so a
 * result that reaches metering late (within the grace period) still lands in the right window.
 */
public final class FinishedAtExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof InvocationResult result && result.getFinishedAt() != null) {
            long finishedAt = result.getFinishedAt().toEpochMilli();
            if (finishedAt >= 0) {
                return finishedAt;
            }
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
    }
}
