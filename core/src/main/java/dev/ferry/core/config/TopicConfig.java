package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

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

    TopicConfig(AbstractConfig config) {
        this.replicationFactor = config.getInt(REPLICATION_FACTOR).shortValue();
        this.partitions = config.getInt(PARTITIONS);
        this.maxMessageBytes = config.getInt(MAX_MESSAGE_BYTES);
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
                                + "as FAILED with reasonCode output_too_large.");
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public int partitions() {
        return partitions;
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
}
