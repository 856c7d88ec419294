package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** How Ferry creates its topics. */
public final class TopicConfig {

    public static final String REPLICATION_FACTOR = "topic.replication.factor";
    public static final String PARTITIONS = "topic.partitions";
    public static final String MAX_MESSAGE_BYTES = "topic.max.message.bytes";
    public static final String MIN_INSYNC_REPLICAS = "topic.min.insync.replicas";

    /** Room for a 6 MiB synchronous payload (Lambda's limit) plus the envelope and headers. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private final short replicationFactor;
    private final int partitions;
    private final int maxMessageBytes;
    private final short minInsyncReplicas;

    TopicConfig(AbstractConfig config) {
        this.replicationFactor = config.getInt(REPLICATION_FACTOR).shortValue();
        this.partitions = config.getInt(PARTITIONS);
        this.maxMessageBytes = config.getInt(MAX_MESSAGE_BYTES);
        this.minInsyncReplicas = config.getInt(MIN_INSYNC_REPLICAS).shortValue();
    }

    static void define(ConfigDef def) {
        def.define(REPLICATION_FACTOR, Type.INT, 3, Range.between(1, Short.MAX_VALUE), Importance.MEDIUM,
                        "Replication factor of the topics Ferry creates, capped by the number of brokers.")
                .define(PARTITIONS, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                        "Partitions of ferry.invocations, ferry.results and the other platform topics. "
                                + "Work topics take FunctionSpec.partitions instead.")
                .define(MAX_MESSAGE_BYTES, Type.INT, DEFAULT_MAX_MESSAGE_BYTES, Range.atLeast(1024),
                        Importance.LOW, "max.message.bytes of the topics that carry payloads.")
                .define(MIN_INSYNC_REPLICAS, Type.INT, 2, Range.between(1, Short.MAX_VALUE), Importance.MEDIUM,
                        "min.insync.replicas of the topics Ferry creates, set only where the replication factor "
                                + "(after capping) is at least this plus one, so one lost broker never stops "
                                + "writes; below that the broker's default applies.");
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public int partitions() {
        return partitions;
    }

    /** The wanted {@code min.insync.replicas}; {@link dev.ferry.core.topics.TopicSpec} decides where it applies. */
    public short minInsyncReplicas() {
        return minInsyncReplicas;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }
}
