package dev.ferry.core.topics;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A topic as Ferry wants it: name, partition count, replication factor (before capping by the cluster's broker
 * count), topic-level configs, and the {@code min.insync.replicas} it should have where its replicas allow.
 *
 * <p>{@code min.insync.replicas} is applied only when the replication factor the topic really gets is larger than
 * it (issue 15): with 3 replicas and 2 in sync an {@code acks=all} write survives the loss of one broker, while 2 of
 * 2 would stop every write as soon as one broker is down. Below that the broker's own default applies.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs,
        short minInsyncReplicas) {

    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least one partition, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs a replication factor of at least 1");
        }
        if (minInsyncReplicas < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs min.insync.replicas of at least 1");
        }
        configs = Map.copyOf(configs);
    }

    /** A topic that leaves {@code min.insync.replicas} to the broker's default. */
    public TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        this(name, partitions, replicationFactor, configs, (short) 1);
    }

    public boolean compacted() {
        return "compact".equals(configs.get("cleanup.policy"));
    }

    /**
     * The configs to create the topic with once its replication factor is known: {@link #configs()}, plus
     * {@code min.insync.replicas} when {@code replication} exceeds it.
     */
    public Map<String, String> configsFor(short replication) {
        if (minInsyncReplicas <= 1 || replication <= minInsyncReplicas || configs.containsKey(MIN_INSYNC_REPLICAS)) {
            return configs;
        }
        Map<String, String> all = new HashMap<>(configs);
        all.put(MIN_INSYNC_REPLICAS, String.valueOf(minInsyncReplicas));
        return Map.copyOf(all);
    }
}
