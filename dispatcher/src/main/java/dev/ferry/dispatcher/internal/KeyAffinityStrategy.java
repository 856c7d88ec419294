package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import dev.ferry.dispatcher.PartitionStrategy;
import dev.ferry.schemas.InvocationRequest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * murmur2 of the key's UTF-8 bytes, modulo the partition count: exactly what Kafka's default partitioner does
 * with a string key, so a tool that knows a key can tell its partition the usual way. Without a key the
 * invocation id stands in, which is the record key the work record then carries; a retried invocation thus
 * returns to its first partition.
 */
public final class KeyAffinityStrategy implements PartitionStrategy {

    @Override
    public int partition(InvocationRequest request, int partitions, PartitionLoad load) {
        String key = request.getKey() != null ? request.getKey() : request.getInvocationId();
        return forKey(key, partitions);
    }

    static int forKey(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
