package dev.ferry.worker.internal.trigger;

import dev.ferry.core.kafka.KafkaClients;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The codec a trigger replica's producer writes with (issue 16, docs/design.md section 10, "Guarantees"): a
 * destination is the user's own topic, so when its {@code compression.type} names a codec the replica writes in
 * that codec, and the broker stores the batches as they come instead of recompressing every one of them (which it
 * does whenever a batch's codec differs from its topic's). {@code uncompressed} writes {@code none}. Only a topic
 * that leaves the choice to producers ({@code producer}, Kafka's default), a trigger without a destination, or a
 * destination whose config could not be read, falls back to {@code topic.user.compression.type}, the codec every
 * mainstream client decodes (issue 12). A level the topic sets itself ({@code compression.gzip.level},
 * {@code compression.lz4.level}, {@code compression.zstd.level}) is kept; otherwise gzip writes at level 1, as
 * every Ferry producer does ({@link KafkaClients#compression}).
 *
 * <p>Read from the destination's config once per replica start (the same describe as {@link WriteLimits}), never
 * per record: a changed topic config applies from the replica's next start. One producer writes a replica's
 * outputs, results and failures in one transaction, so its one codec is the destination's; {@code ferry.results}
 * then takes what the broker recompresses to its own codec, the smaller cost since a changed codec is the user's
 * explicit choice and outputs are theirs. Immutable.
 */
public final class DestinationCodec {

    private static final String PRODUCER = "producer";
    private static final String UNCOMPRESSED = "uncompressed";

    private final String codec;
    private final Map<String, Object> producerSettings;

    private DestinationCodec(String codec, Map<String, Object> producerSettings) {
        this.codec = codec;
        this.producerSettings = Map.copyOf(producerSettings);
    }

    /**
     * @param destination the destination's described config; null when the trigger has none or it is unknown
     * @param userCodec {@code topic.user.compression.type}, the fallback
     */
    public static DestinationCodec of(Config destination, String userCodec) {
        ConfigEntry type = destination == null ? null : destination.get(TopicConfig.COMPRESSION_TYPE_CONFIG);
        String topicCodec = type == null || type.value() == null ? PRODUCER : type.value().trim().toLowerCase();
        if (PRODUCER.equals(topicCodec) || topicCodec.isEmpty()) {
            return new DestinationCodec(userCodec, KafkaClients.compression(userCodec));
        }
        String codec = UNCOMPRESSED.equals(topicCodec) ? "none" : topicCodec;
        Map<String, Object> settings = new HashMap<>(KafkaClients.compression(codec));
        String levelKey = switch (codec) {
            case "gzip" -> TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG;
            case "lz4" -> TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG;
            case "zstd" -> TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG;
            default -> null;
        };
        ConfigEntry level = levelKey == null ? null : destination.get(levelKey);
        if (level != null && level.value() != null && level.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG) {
            // The topic and producer keys are spelled alike (KIP-390).
            settings.put(levelKey, Integer.parseInt(level.value().trim()));
        }
        return new DestinationCodec(codec, settings);
    }

    /** The producer's {@code compression.type}: {@code none}, {@code gzip}, {@code snappy}, {@code lz4}, {@code zstd}. */
    public String codec() {
        return codec;
    }

    /**
     * The producer properties of this codec ({@link ProducerConfig#COMPRESSION_TYPE_CONFIG} and perhaps a level),
     * for a caller to put in its overrides unless the operator's pass-through sets {@code compression.type}.
     */
    public Map<String, Object> producerSettings() {
        return producerSettings;
    }

    @Override
    public String toString() {
        return codec;
    }
}
