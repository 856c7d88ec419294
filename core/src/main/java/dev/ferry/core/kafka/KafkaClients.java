package dev.ferry.core.kafka;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.TopicConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one place Ferry builds Kafka clients. Each client's properties are layered, each layer winning over the one
 * before: Ferry's defaults for the role (below), then the operator's pass-through properties ({@code --kafka-config},
 * {@code kafka.*}: connection, security and any tuning), then the caller's overrides. A caller overrides only what
 * its correctness needs (a group id, a {@code transactional.id}, an isolation level); a call site that merely tunes a
 * setting checks the pass-through first, so the operator keeps the last word (the dispatcher's
 * {@code retry.backoff.ms}, metering's Streams settings).
 *
 * <p>Defaults and why: producers are idempotent with {@code acks=all} and a short linger so the hot path batches;
 * their {@code max.request.size} fits the largest record any Ferry topic accepts, dead letters included
 * ({@link TopicConfig#copyMaxMessageBytes()}; a service checks a payload topic's smaller limit itself before it
 * sends, issue 11). Consumers never auto-commit (Ferry
 * commits only after a result is written) and read committed data only, because the dispatcher writes work topics
 * in transactions. Consumer groups use the KIP-848 protocol.
 *
 * <p>Compression (issue 12): a producer's codec is a role default. Most producers write what only Ferry reads and
 * use {@code topic.internal.compression.type} (lz4: the cheapest to compress and decode of Kafka's codecs, at
 * snappy's ratio). Producers whose records mostly land on topics users read with their own clients (the worker's
 * results and dead letters, trigger destinations) are built with {@link #userTopicProducer} and use
 * {@code topic.user.compression.type} (gzip at level 1): kafkajs decodes nothing but gzip without a plugin, and
 * librdkafka and Java clients decode it too. A trigger replica's producer writes its destination's own
 * {@code compression.type} instead when that topic names a codec (the worker's {@code DestinationCodec}, issue 16).
 * An operator's {@code compression.type} pass-through still wins.
 */
public final class KafkaClients {

    private final FerryConfig config;
    private final TailOffsets tailOffsets;

    /** A factory whose {@link TopicTail}s each list their end offsets on an admin client of their own. */
    public KafkaClients(FerryConfig config) {
        this(config, null);
    }

    /**
     * A factory whose {@link TopicTail}s list their end offsets on {@code tailOffsets}, which the caller owns and
     * closes after every tail: the process's {@link dev.ferry.core.runtime.FerryRuntime} passes its one.
     */
    public KafkaClients(FerryConfig config, TailOffsets tailOffsets) {
        this.config = config;
        this.tailOffsets = tailOffsets;
    }

    /** The end-offset lookups this factory's tails share, or null when each tail makes its own. */
    TailOffsets sharedTailOffsets() {
        return tailOffsets;
    }

    public FerryConfig config() {
        return config;
    }

    /**
     * An Admin client whose {@code close()} waits at most {@link #ADMIN_CLOSE} for calls still pending, then fails
     * them: Kafka's own waits until each times out ({@code default.api.timeout.ms}, 60 s), so a service started with
     * nothing at its Kafka address, whose 30 s wait for the cluster had failed, closed its Admin for 30 s more before
     * it could say so (tester: "Timed out after 30 s" after 69 s). A pending call at close is one nobody awaits any
     * more, or one of a service that is stopping.
     */
    public Admin admin(String clientId) {
        Map<String, Object> props = config.kafkaClientProperties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return new BoundedCloseAdmin(props);
    }

    /** How long {@link #admin(String)}'s {@code close()} waits for pending calls. */
    static final Duration ADMIN_CLOSE = Duration.ofSeconds(2);

    private static final class BoundedCloseAdmin extends ForwardingAdmin {
        BoundedCloseAdmin(Map<String, Object> configs) {
            super(configs);
        }

        @Override
        public void close(Duration timeout) {
            super.close(timeout.compareTo(ADMIN_CLOSE) < 0 ? timeout : ADMIN_CLOSE);
        }
    }

    public <K, V> KafkaProducer<K, V> producer(String clientId, Serializer<K> keySerializer,
            Serializer<V> valueSerializer, Map<String, Object> overrides) {
        return new KafkaProducer<>(producerProperties(clientId, overrides), keySerializer, valueSerializer);
    }

    /** A producer of records only Ferry reads: the internal codec. */
    public Map<String, Object> producerProperties(String clientId, Map<String, Object> overrides) {
        return layer(producerDefaults(config.topics().internalCompressionType()), clientId,
                ProducerConfig.CLIENT_ID_CONFIG, overrides);
    }

    /**
     * A producer whose records mostly go to topics users read ({@code ferry.results}, {@code ferry.dlq}, trigger
     * destinations): the user codec, so every mainstream client decodes them in its default configuration.
     */
    public <K, V> KafkaProducer<K, V> userTopicProducer(String clientId, Serializer<K> keySerializer,
            Serializer<V> valueSerializer, Map<String, Object> overrides) {
        return new KafkaProducer<>(userTopicProducerProperties(clientId, overrides), keySerializer, valueSerializer);
    }

    public Map<String, Object> userTopicProducerProperties(String clientId, Map<String, Object> overrides) {
        return layer(producerDefaults(config.topics().userCompressionType()), clientId,
                ProducerConfig.CLIENT_ID_CONFIG, overrides);
    }

    /** The producer settings of a codec: gzip at level 1, where gzip's default (6) costs about twice the CPU. */
    public static Map<String, Object> compression(String codec) {
        return "gzip".equals(codec)
                ? Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.COMPRESSION_GZIP_LEVEL_CONFIG, 1)
                : Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    }

    private Map<String, Object> producerDefaults(String codec) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.putAll(compression(codec));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.topics().copyMaxMessageBytes());
        return props;
    }

    public <K, V> KafkaConsumer<K, V> consumer(String groupId, String clientId, Deserializer<K> keyDeserializer,
            Deserializer<V> valueDeserializer, Map<String, Object> overrides) {
        return new KafkaConsumer<>(consumerProperties(groupId, clientId, overrides), keyDeserializer,
                valueDeserializer);
    }

    public Map<String, Object> consumerProperties(String groupId, String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, config.topics().copyMaxMessageBytes());
        return layer(props, clientId, ConsumerConfig.CLIENT_ID_CONFIG, overrides);
    }

    /**
     * A KIP-932 share consumer. The group's {@code share.auto.offset.reset} is a group config, not a client one:
     * see {@link TopicProvisioner#startShareGroupAtEarliest}.
     */
    public <K, V> KafkaShareConsumer<K, V> shareConsumer(String groupId, String clientId,
            Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, config.topics().copyMaxMessageBytes());
        return new KafkaShareConsumer<>(layer(props, clientId, ConsumerConfig.CLIENT_ID_CONFIG, overrides),
                keyDeserializer, valueDeserializer);
    }

    private Map<String, Object> layer(Map<String, Object> roleDefaults, String clientId, String clientIdKey,
            Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(roleDefaults);
        props.putAll(config.kafkaClientProperties());
        if (clientId != null) {
            props.put(clientIdKey, clientId);
        }
        props.putAll(overrides);
        return props;
    }
}
