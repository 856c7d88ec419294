package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline of {@code trigger-throughput}: the Kafka Streams application a user writes to copy a topic,
 * {@code builder.stream(src).mapValues(v -> v).to(dst)} over byte arrays, at {@code exactly_once_v2} with
 * {@code commit.interval.ms} 100 (the exactly-once default, set explicitly) and one stream thread (the default).
 * Everything else is Streams' own defaults (its producer lingers 100 ms and does not compress, which is the codec of
 * the scenario's destinations, {@code compression.type=uncompressed}); each run is a fresh
 * {@code application.id} (its consumer group) and state directory.
 */
final class StreamsMover implements RecordMover {

    private static final Logger log = LoggerFactory.getLogger(StreamsMover.class);
    static final int COMMIT_INTERVAL_MS = 100;

    private final FerryConfig config;
    private final Path stateRoot;
    private final Map<String, Object> producer;

    StreamsMover(FerryConfig config) throws IOException {
        this(config, Map.of());
    }

    /**
     * @param producer settings of Streams' producer over its defaults, e.g. a codec for the scenario's variant
     *        whose destinations leave the codec to producers (Ferry then writes gzip-1, so this side does too)
     */
    StreamsMover(FerryConfig config, Map<String, Object> producer) throws IOException {
        this.config = config;
        this.producer = Map.copyOf(producer);
        this.stateRoot = Files.createTempDirectory("ferry-bench-streams");
    }

    @Override
    public String label() {
        return "Kafka Streams";
    }

    @Override
    public Moving start(String source, String destination, String run) {
        String applicationId = config.topicPrefix() + "streams-" + run;
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(source, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .mapValues(v -> v)
                .to(destination, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties props = new Properties();
        props.putAll(config.kafkaClientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.resolve(applicationId).toString());
        producer.forEach((key, value) -> props.put(StreamsConfig.producerPrefix(key), value));
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Streams baseline {} failed", applicationId, e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
        streams.start();
        return new Moving() {
            @Override
            public String group() {
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new FerryException("The Streams baseline " + applicationId + " stopped: "
                            + streams.state());
                }
                return applicationId;
            }

            @Override
            public void close() {
                if (!streams.close(Duration.ofSeconds(30))) {
                    log.warn("Streams baseline {} did not stop within 30 s", applicationId);
                }
            }
        };
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(stateRoot)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", stateRoot, e.toString());
        }
    }
}
