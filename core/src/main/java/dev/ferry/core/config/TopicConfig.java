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

    TopicConfig(AbstractConfig config) {
        this.replicationFactor = config.getInt(REPLICATION_FACTOR).shortValue();
        this.partitions = config.getInt(PARTITIONS);
        this.maxMessageBytes = config.getInt(MAX_MESSAGE_BYTES);
        this.userCompressionType = config.getString(USER_COMPRESSION_TYPE);
        this.internalCompressionType = config.getString(INTERNAL_COMPRESSION_TYPE);
        this.minInsyncReplicas = config.getInt(MIN_INSYNC_REPLICAS).shortValue();
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
