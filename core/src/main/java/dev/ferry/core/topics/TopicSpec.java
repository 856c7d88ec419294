package dev.ferry.core.topics;

import java.util.Map;
import java.util.Objects;

/**
 * A topic as Ferry wants it: name, partition count, replication factor (before capping by the cluster's broker
 * count) and topic-level configs.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least one partition, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs a replication factor of at least 1");
        }
        configs = Map.copyOf(configs);
    }

    public boolean compacted() {
        return "compact".equals(configs.get("cleanup.policy"));
    }
}
