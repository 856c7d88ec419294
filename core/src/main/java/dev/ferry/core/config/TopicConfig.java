package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * How Ferry creates its topics, and the record limits that follow from {@code topic.max.message.bytes} (issue 11):
 *
 * <ul>
 *   <li>{@link #maxMessageBytes()} (L, 8 MiB): {@code max.message.bytes} of the topics that carry payloads
 *       ({@code ferry.invocations}, {@code ferry.results}, the work topics), and the largest record a Ferry
 *       service writes there (measured uncompressed, so a verdict never depends on how well a payload compresses);
 *   <li>{@link #copyMaxMessageBytes()} (L + 64 KiB): {@code max.message.bytes} of the topics that carry copies of
 *       those records with Ferry's headers added ({@code ferry.dlq}, the retry tiers), and every producer's
 *       {@code max.request.size}, so that any record that fits a payload topic also fits its dead letter or retry.
 * </ul>
 */
public final class TopicConfig {

    public static final String REPLICATION_FACTOR = "topic.replication.factor";
    public static final String PARTITIONS = "topic.partitions";
    public static final String MAX_MESSAGE_BYTES = "topic.max.message.bytes";
    public static final String USER_COMPRESSION_TYPE = "topic.user.compression.type";
    public static final String INTERNAL_COMPRESSION_TYPE = "topic.internal.compression.type";

    /** Kafka's codecs; every one of them decodes in Java clients, only none and gzip in every mainstream client. */
    private static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};
    public static final String MIN_INSYNC_REPLICAS = "topic.min.insync.replicas";
    public static final String WORK_MAX_TOTAL_PARTITIONS = "topic.work.max.total.partitions";

    /**
     * Default of {@link #WORK_MAX_TOTAL_PARTITIONS}. Each partition of a work topic is, on every broker holding a
     * replica, about 1 open file and 2 memory maps (its active segment, its offset and time indexes): a tester's 19
     * functions of 1000 partitions took a dev platform from 796 to 19,743 open files and then past its 20,000, and
     * the broker died (session 11); vm.max_map_count is 65,530 on most Linux boxes. 8000 partitions are about
     * 8,000 files and 16,000 maps, which a 2-core dev box with those limits survives, with room for the platform's own
     * topics, and 1,000 functions of the default 6 partitions fit (the idle benchmark's).
     */
    public static final int DEFAULT_WORK_MAX_TOTAL_PARTITIONS = 8000;

    /** Room for a 6 MiB synchronous payload (Lambda's limit) plus the envelope and headers. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    /**
     * Room for what a copy adds to a record: the DLQ's six headers (the error message is capped at 4 KiB) or the
     * retry tier's two, with a wide margin.
     */
    public static final int COPY_HEADROOM_BYTES = 64 * 1024;

    private final short replicationFactor;
    private final int partitions;
    private final int maxMessageBytes;
    private final String userCompressionType;
    private final String internalCompressionType;
    private final short minInsyncReplicas;
    private final int workMaxTotalPartitions;

    TopicConfig(AbstractConfig config) {
        this.replicationFactor = config.getInt(REPLICATION_FACTOR).shortValue();
        this.partitions = config.getInt(PARTITIONS);
        this.maxMessageBytes = config.getInt(MAX_MESSAGE_BYTES);
        this.userCompressionType = config.getString(USER_COMPRESSION_TYPE);
        this.internalCompressionType = config.getString(INTERNAL_COMPRESSION_TYPE);
        this.minInsyncReplicas = config.getInt(MIN_INSYNC_REPLICAS).shortValue();
        this.workMaxTotalPartitions = config.getInt(WORK_MAX_TOTAL_PARTITIONS);
    }

    static void define(ConfigDef def) {
        def.define(REPLICATION_FACTOR, Type.INT, 3, Range.between(1, Short.MAX_VALUE), Importance.MEDIUM,
                        "Replication factor of the topics Ferry creates, capped by the number of brokers.")
                .define(PARTITIONS, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                        "Partitions of ferry.invocations, ferry.results and the other platform topics. "
                                + "Work topics take FunctionSpec.partitions instead.")
                .define(MAX_MESSAGE_BYTES, Type.INT, DEFAULT_MAX_MESSAGE_BYTES, Range.atLeast(1024),
                        Importance.LOW, "max.message.bytes of the topics that carry payloads (invocations, results, work "
                                + "topics) and the largest record, uncompressed, a Ferry service writes there; "
                                + "ferry.dlq, the retry tiers and every producer's max.request.size get 64 KiB more "
                                + "for the headers a copy adds. A result over it is written without its output, "
                                + "as FAILED with reasonCode output_too_large.")
                .define(USER_COMPRESSION_TYPE, Type.STRING, "gzip", ValidString.in(CODECS), Importance.MEDIUM,
                        "Compression of the topics users read (ferry.results, ferry.dlq, ferry.usage, and trigger "
                                + "destinations whose compression.type is producer; a destination naming a codec "
                                + "is written in it): their compression.type and their producers' codec (gzip at "
                                + "level 1). gzip or none decode in every mainstream client's default setup; kafkajs "
                                + "has no other codec without a plugin.")
                .define(INTERNAL_COMPRESSION_TYPE, Type.STRING, "lz4", ValidString.in(CODECS), Importance.LOW,
                        "Codec of producers whose records only Ferry reads (ferry.invocations, work and retry "
                                + "topics, ferry.lag, ferry.scaling, ferry.functions, metering's internal topics).")
                .define(MIN_INSYNC_REPLICAS, Type.INT, 2, Range.between(1, Short.MAX_VALUE), Importance.MEDIUM,
                        "min.insync.replicas of the topics Ferry creates, set only where the replication factor "
                                + "(after capping) is at least this plus one, so one lost broker never stops "
                                + "writes; below that the broker's default applies.")
                .define(WORK_MAX_TOTAL_PARTITIONS, Type.INT, DEFAULT_WORK_MAX_TOTAL_PARTITIONS, Range.atLeast(1),
                        Importance.MEDIUM, "Budget of work-topic partitions on the whole platform: the partitions of "
                                + "all tenants' work topics together, deployed functions' and those deleted functions "
                                + "left (until an operator deletes them), and the topics trigger PUTs created "
                                + "(destination, onFailure; until an operator deletes them). A deploy or trigger PUT that "
                                + "adds partitions beyond what is left is refused (400). Each partition costs every broker "
                                + "holding it about 1 open file and 2 memory maps; the default, about 8,000 files and "
                                + "16,000 maps, fits a dev box's limits (20,000 files, vm.max_map_count 65,530) and "
                                + "1,000 functions of 6 partitions.");
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

    /**
     * The most partitions all functions' work topics may have together ({@link #WORK_MAX_TOTAL_PARTITIONS}), at least
     * 1; the gateway refuses a deploy beyond it.
     */
    public int workMaxTotalPartitions() {
        return workMaxTotalPartitions;
    }

    /** L: {@code max.message.bytes} of the payload topics, and the largest record written to them. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * L + {@value #COPY_HEADROOM_BYTES}: {@code max.message.bytes} of {@code ferry.dlq} and the retry tiers, and
     * the producers' {@code max.request.size}.
     */
    public int copyMaxMessageBytes() {
        return maxMessageBytes > Integer.MAX_VALUE - COPY_HEADROOM_BYTES ? Integer.MAX_VALUE
                : maxMessageBytes + COPY_HEADROOM_BYTES;
    }

    /** The codec of the topics users read: one of none, gzip, snappy, lz4, zstd. */
    public String userCompressionType() {
        return userCompressionType;
    }

    /** The codec of the records only Ferry reads: one of none, gzip, snappy, lz4, zstd. */
    public String internalCompressionType() {
        return internalCompressionType;
    }
}
