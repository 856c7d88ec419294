package dev.ferry.metering;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.metering.internal.Billing;
import dev.ferry.metering.internal.CheckpointedWindowStores;
import dev.ferry.metering.internal.DeadLetterHandler;
import dev.ferry.metering.internal.FinishedAtExtractor;
import dev.ferry.metering.internal.Keys;
import dev.ferry.metering.internal.MeteringProcessor;
import dev.ferry.metering.internal.ProductionErrorHandler;
import dev.ferry.metering.internal.StoreNames;
import dev.ferry.metering.internal.WindowTotals;
import dev.ferry.metering.internal.WindowTotalsSerde;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.UsageRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The metering topology: {@code ferry.results} re-keyed by {@code tenant/function}, then one processor that
 * de-duplicates attempts, bills them into tumbling windows and emits one final {@code UsageRecord} per closed window
 * to {@code ferry.usage}. Its state stores answer the usage queries.
 *
 * <p>The benchmarks build it under both processing guarantees with {@link #build(FerryConfig, Serde, Serde, String)}
 * and {@link #streamsProperties(FerryConfig, String)}.
 */
public final class MeteringTopology {

    private MeteringTopology() {
    }

    /** The topology with Ferry's registry-backed Avro serdes. */
    public static Topology build(FerryConfig config, AvroSerdes serdes, String processingGuarantee) {
        return build(config, serdes.serde(InvocationResult.class), serdes.serde(UsageRecord.class),
                processingGuarantee);
    }

    /**
     * The topology with the given value serdes (tests pass registry-free ones). {@code processingGuarantee} is
     * {@link StreamsConfig#EXACTLY_ONCE_V2} or {@link StreamsConfig#AT_LEAST_ONCE}: the topology is built with the
     * same Streams settings it will run with ({@link #streamsProperties}), record caches included.
     */
    public static Topology build(FerryConfig config, Serde<InvocationResult> resultSerde,
            Serde<UsageRecord> usageSerde, String processingGuarantee) {
        TopicCatalog topics = new TopicCatalog(config);
        MeteringConfig settings = config.metering();
        StreamsConfig streamsConfig = new StreamsConfig(streamsProperties(config, processingGuarantee));
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(streamsConfig));
        String[] stores = addStores(builder, settings);

        builder.stream(topics.results(), Consumed.with(Serdes.String(), resultSerde)
                        .withTimestampExtractor(new FinishedAtExtractor()).withName("results"))
                // Results that never ran are not billed; dropping them here keeps them off the repartition topic.
                .filter((id, result) -> result != null && BilledTime.ran(result), Named.as("ran"))
                // Only what billing reads crosses the repartition topic: an output of any size never does.
                .mapValues(Billing::billable, Named.as("billing-fields"))
                // One task must see every attempt of a function, or a window would be billed once per partition.
                .selectKey((id, result) -> Keys.function(result.getTenant(), result.getFunction()),
                        Named.as("by-function-key"))
                .repartition(Repartitioned.<String, InvocationResult>as("by-function")
                        .withKeySerde(Serdes.String()).withValueSerde(resultSerde))
                .process(() -> new MeteringProcessor(settings), Named.as("meter"), stores)
                .to(topics.usage(), Produced.with(Serdes.String(), usageSerde).withName("usage"));
        return builder.build();
    }

    /** The most a metering stream thread waits in one poll: see {@link #streamsProperties}. */
    static final long MAX_POLL_MS = 250;

    /** Metering's {@code poll.ms}: {@link #MAX_POLL_MS}, or less when the wall clock that closes windows ticks faster. */
    static long pollMs(MeteringConfig settings) {
        return Math.min(MAX_POLL_MS, MeteringProcessor.wallClockInterval(settings).toMillis());
    }

    /** The restore consumer's {@code fetch.max.wait.ms}: see {@link #streamsProperties}. */
    static final int RESTORE_FETCH_MAX_WAIT_MS = 50;

    /** Session of the metering group's members: how long a killed instance's tasks wait before they move. */
    static final int SESSION_TIMEOUT_MS = 10_000;

    /**
     * The Streams settings of the metering application: the configuration's Kafka client settings, then metering's
     * own. Callers may add or override keys before starting.
     */
    public static Properties streamsProperties(FerryConfig config, String processingGuarantee) {
        TopicCatalog topics = new TopicCatalog(config);
        MeteringConfig settings = config.metering();
        Properties props = new Properties();
        props.putAll(config.kafkaClientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.meteringApplicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(settings));
        // How long an idle stream thread blocks in poll (issue 16): Kafka's default 100 ms is ten loops a second with
        // nothing to meter. Records end the poll at once, but nothing else does: each round of a restore, even of an
        // up-to-date changelog, is a poll, and the stream thread sees restored tasks only after its own. At 1,000 ms a
        // restart of ferry dev waited 2-3 s more for metering (/readyz 15.5 s against 13.3 s at 250 ms, four pairs,
        // issue 16), for 0.1 CPU s/min less while idle (metering's threads: 0.19 against 0.32). The wall clock that
        // closes windows is looked at after each poll, so the poll waits no longer than that clock's interval either.
        // An operator's own setting wins.
        if (!props.containsKey(StreamsConfig.POLL_MS_CONFIG)) {
            props.put(StreamsConfig.POLL_MS_CONFIG, pollMs(settings));
        }
        // The restore consumer's fetch wait (issue 16). A restore round that finds nothing to read waits for the
        // broker to give up on its fetch, Kafka's 500 ms by default, and a restart restores every task's changelogs
        // in a few such rounds even when they are up to date: /readyz of a restarted ferry dev waited 0.8 s more
        // (metering ready 3.7 s after the other services against 2.9 s at 50 ms, four pairs). The restore consumer
        // only polls while tasks restore, so idle costs nothing, unless the operator runs standby replicas, which
        // it follows all the time: then, and when the operator sets it, Kafka's default stays.
        String restoreFetchWait = StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
        boolean operatorsFetchWait = props.containsKey(restoreFetchWait)
                || props.containsKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)
                || props.containsKey(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
        if (!operatorsFetchWait
                && Integer.parseInt(String.valueOf(props.getOrDefault(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0)))
                        == 0) {
            props.put(restoreFetchWait, RESTORE_FETCH_MAX_WAIT_MS);
        }
        // Workers write results in transactions; an aborted result must never be billed, whatever the guarantee.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionErrorHandler.class.getName());
        props.put(DeadLetterHandler.DLQ_TOPIC_CONFIG, topics.dlq());
        // The platform's record limits (TopicConfig, issue 11), not Kafka's 1 MiB defaults: the producer takes any
        // dead letter of a result that fit ferry.results, and the internal topics take anything that fit it.
        String maxRequest = StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (!props.containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG) && !props.containsKey(maxRequest)) {
            props.put(maxRequest, config.topics().copyMaxMessageBytes());
        }
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                String.valueOf(config.topics().maxMessageBytes()));
        // Each exactly-once commit starts a transaction while the last one's markers are still being written; the
        // producer's retry of that (CONCURRENT_TRANSACTIONS) waits retry.backoff.ms, 100 ms by default, which cost
        // about a tenth of the topology's exactly-once throughput. An operator's own setting wins.
        // The producer's bulk is internal (the by-function repartition topic carries every result, then the
        // changelogs): the internal codec. ferry.usage and ferry.dlq, which users read, are a trickle beside it; their
        // topic-level compression.type (TopicCatalog.userTopicConfigs) makes the broker store those batches in the
        // user codec. An operator's own compression.type wins.
        if (!props.containsKey(ProducerConfig.COMPRESSION_TYPE_CONFIG)
                && !props.containsKey(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG))) {
            KafkaClients.compression(config.topics().internalCompressionType())
                    .forEach((key, value) -> props.put(StreamsConfig.producerPrefix(key), value));
        }
        // A metering process killed without a clean stop holds its tasks until its group session expires: 45 s by
        // default for Streams' classic protocol, all of it a restart waiting to bill (issue 11). 10 s, the broker's
        // classic default before Kafka 3.0 and within its minimum of 6 s. An operator's own setting wins.
        String session = StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        if (!props.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG) && !props.containsKey(session)) {
            props.put(session, SESSION_TIMEOUT_MS);
        }
        String backoff = StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
        if (!props.containsKey(ProducerConfig.RETRY_BACKOFF_MS_CONFIG) && !props.containsKey(backoff)) {
            props.put(backoff, 10);
        }
        return props;
    }

    /**
     * The replication of metering's internal topics (its changelogs and the by-function repartition topic) on a
     * cluster of {@code brokers} brokers: Ferry's own topics' {@code topic.replication.factor} capped by the broker
     * count, as {@link dev.ferry.core.kafka.TopicProvisioner} creates {@code ferry.results} and {@code ferry.usage},
     * and their {@code topic.min.insync.replicas} where that factor exceeds it. Kafka Streams otherwise creates them
     * with the broker's {@code default.replication.factor}, 1 unless an operator set it: then one lost broker takes
     * those partitions offline, every transaction that writes them hangs and the group never settles, so metering
     * stops billing while the platform's own topics fail over (issue 15, the broker SIGKILL system case).
     *
     * <p>Keys already in {@code props} (an operator's {@code replication.factor}) are kept. Applies to topics Streams
     * creates from now on; existing internal topics keep their replication (raise it with a partition
     * reassignment).
     *
     * @param brokers the cluster's broker count, at least 1
     */
    public static void replicateInternalTopics(Properties props, FerryConfig config, int brokers) {
        short replication = (short) Math.max(1, Math.min(config.topics().replicationFactor(), brokers));
        props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replication);
        short minInsync = config.topics().minInsyncReplicas();
        String minInsyncKey = StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        if (minInsync > 1 && replication > minInsync) {
            props.putIfAbsent(minInsyncKey, String.valueOf(minInsync));
        }
    }

    private static String stateDir(MeteringConfig settings) {
        if (settings.stateDir() == null || settings.stateDir().isBlank()) {
            return Path.of(System.getProperty("java.io.tmpdir"), "ferry-metering").toString();
        }
        return settings.stateDir();
    }

    private static String[] addStores(StreamsBuilder builder, MeteringConfig settings) {
        Serde<WindowTotals> totals = new WindowTotalsSerde();
        Duration window = Duration.ofMillis(settings.windowMs());
        Duration hour = Duration.ofHours(1);
        Duration day = Duration.ofDays(1);
        Duration rollupRetention = Duration.ofMillis(settings.rollupRetentionMs());
        Duration windowRetention = Duration.ofMillis(Math.max(settings.queryRetentionMs(), settings.windowMs()));
        Duration dedupRetention = Duration.ofMillis(settings.dedupRetentionMs());

        // The window stores' changelog offsets go to Streams' checkpoint file, not into their segments: one with no
        // live segment had none after a clean stop, and exactly-once then wiped the task (CheckpointedWindowStores).
        // Every attempt key is new, so a record cache would only delay its write: no caching for the dedup store.
        builder.addStateStore(Stores.windowStoreBuilder(
                CheckpointedWindowStores.of(
                        Stores.persistentWindowStore(StoreNames.DEDUP, dedupRetention, Duration.ofMillis(1), false)),
                Serdes.String(), Serdes.Long()).withCachingDisabled());
        // Open windows and timelines are rewritten by every result: the cache folds those writes per commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.OPEN), Serdes.String(), totals).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TIMELINE), Serdes.String(), Serdes.Boolean())
                .withCachingEnabled());
        builder.addStateStore(Stores.windowStoreBuilder(
                CheckpointedWindowStores.of(
                        Stores.persistentWindowStore(StoreNames.WINDOWS, windowRetention, window, false)),
                Serdes.String(), totals));
        builder.addStateStore(Stores.windowStoreBuilder(
                CheckpointedWindowStores.of(
                        Stores.persistentWindowStore(StoreNames.HOURS, rollupRetention, hour, false)),
                Serdes.String(), totals));
        builder.addStateStore(Stores.windowStoreBuilder(
                CheckpointedWindowStores.of(
                        Stores.persistentWindowStore(StoreNames.DAYS, rollupRetention, day, false)),
                Serdes.String(), totals));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TOTALS), Serdes.String(), totals));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.META), Serdes.String(), Serdes.Long()));
        return new String[] {StoreNames.DEDUP, StoreNames.OPEN, StoreNames.TIMELINE, StoreNames.WINDOWS,
            StoreNames.HOURS, StoreNames.DAYS, StoreNames.TOTALS, StoreNames.META};
    }
}
