package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.KafkaClients;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trigger-throughput} (issue 14, "Speed"): the built-in echo function behind a {@code PARTITION} trigger
 * copying a topic to another, against the Kafka Streams application a user would write instead
 * ({@link StreamsMover}: {@code mapValues(v -> v)} at exactly_once_v2), on the same broker in the same run.
 *
 * <p>Throughput: one 6-partition source pre-filled with N small JSON records; each repetition starts a fresh copy
 * (a fresh trigger and so a fresh group for Ferry, a fresh {@code application.id} for Streams) into a fresh
 * destination and is timed from the start call until the copy's committed offsets cover the source's end, which
 * under exactly-once is when the last output is committed. Then the destination is read back: every record exactly
 * once, or the repetition fails. Which side goes first alternates per repetition. The details also give the rate
 * between the first and the last output (the destination's append times), which leaves the start-up out, and the
 * start-up itself (start call to first output), and the CPU time one record cost the whole process, broker included
 * ({@link ThreadCpuTimes}), which a busy shared machine disturbs less than the rates. Destinations are
 * {@code compression.type=uncompressed} ({@link #DESTINATION_CODEC}: the same work on both sides); one more pair
 * into destinations left to producers, both sides at gzip-1, is reported beside it.
 *
 * <p>Latency ({@link AppendLatency}): a paced load through each side into LogAppendTime topics; the p50 and p99 of
 * destination append minus source append are reported beside the ratio, which is the throughput ratio.
 */
public final class TriggerThroughputScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(TriggerThroughputScenario.class);
    static final int LATENCY_RATE = 500;
    static final int WARM_UPS = 2;
    /**
     * The destinations' {@code compression.type}: both sides write {@code none} (the same work). Ferry's trigger
     * writes a destination's own codec (issue 16, {@code DestinationCodec}) and Streams' producer does not compress
     * by default, so the baseline stays at its defaults; a destination left to producers would have Ferry write
     * gzip-1 (kafkajs decodes nothing else without a plugin) against Streams' none, unlike work. The variant run
     * after the repetitions gives that case too, both sides at gzip-1.
     */
    static final String DESTINATION_CODEC = "uncompressed";
    /** Streams' producer in the variant: gzip at level 1, what Ferry writes to a destination left to producers. */
    static final Map<String, Object> GZIP_1 = Map.of("compression.type", "gzip", "compression.gzip.level", 1);

    /** Builds Ferry's side on the scenario's configuration. */
    interface FerrySide {
        RecordMover start(FerryConfig config) throws Exception;
    }

    private final FerrySide ferrySide;

    public TriggerThroughputScenario() {
        this(TriggerMover::start);
    }

    TriggerThroughputScenario(FerrySide ferrySide) {
        this.ferrySide = ferrySide;
    }

    @Override
    public String name() {
        return "trigger-throughput";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        int n = quick ? 20_000 : 100_000;
        int repetitions = quick ? 3 : 5;
        int latencySeconds = quick ? 10 : 30;
        FerryConfig config = cluster.config("trigger", Map.of());
        KafkaClients clients = new KafkaClients(config);
        // The source and destinations are a user's topics: a trigger refuses the platform's own (its topic prefix,
        // TopicCatalog.reservation), so they are named outside it.
        String prefix = "user-" + config.topicPrefix();
        Samples ferry = new Samples();
        Samples streams = new Samples();
        Samples ferrySteady = new Samples();
        Samples streamsSteady = new Samples();
        Samples ferryStartup = new Samples();
        Samples streamsStartup = new Samples();
        Samples ferryCpu = new Samples();
        Samples streamsCpu = new Samples();
        Histogram ferryLatency;
        Histogram streamsLatency;
        Run gzipFerry;
        Run gzipStreams;
        try (MoveTopics topics = new MoveTopics(clients, cluster.replicationFactor());
             KafkaProducer<byte[], byte[]> producer = clients.producer("bench-trigger-load", new ByteArraySerializer(),
                     new ByteArraySerializer(), Map.of());
             RecordMover ferryMover = ferrySide.start(config);
             RecordMover streamsMover = new StreamsMover(config);
             RecordMover streamsGzip = new StreamsMover(config, GZIP_1)) {
            String source = prefix + "source";
            topics.create(false, source);
            long count = topics.fill(producer, source, n);
            // Warm-up of both, twice over the whole source (fresh groups): JIT of the invocation path and of
            // Streams' loop, the function's runtime, the first groups and transactions. After one pass Ferry's
            // repetitions were still speeding up on a busy 2-core machine (2.5k, 3.9k, 5.4k records/s).
            for (int w = 0; w < WARM_UPS; w++) {
                throughput(topics, ferryMover, source, count, prefix, "warm" + w + "-ferry", DESTINATION_CODEC);
                throughput(topics, streamsMover, source, count, prefix, "warm" + w + "-streams",
                        DESTINATION_CODEC);
            }
            for (int i = 0; i < repetitions; i++) {
                // Alternate which side goes first, so neither always runs on a cooler machine.
                boolean ferryFirst = i % 2 == 0;
                Run first = throughput(topics, ferryFirst ? ferryMover : streamsMover, source, count, prefix,
                        "r" + i + (ferryFirst ? "-ferry" : "-streams"), DESTINATION_CODEC);
                Run second = throughput(topics, ferryFirst ? streamsMover : ferryMover, source, count, prefix,
                        "r" + i + (ferryFirst ? "-streams" : "-ferry"), DESTINATION_CODEC);
                Run f = ferryFirst ? first : second;
                Run s = ferryFirst ? second : first;
                ferry.add(f.perSecond());
                streams.add(s.perSecond());
                ferrySteady.add(f.steadyPerSecond());
                streamsSteady.add(s.steadyPerSecond());
                ferryStartup.add(f.startupSeconds());
                streamsStartup.add(s.startupSeconds());
                ferryCpu.add(f.cpuMicrosPerRecord());
                streamsCpu.add(s.cpuMicrosPerRecord());
                log.info("trigger repetition {}: ferry {} /s, streams {} /s", i + 1, f.perSecond(), s.perSecond());
            }
            // The variant: destinations left to producers (Kafka's default), where Ferry falls back to
            // topic.user.compression.type (gzip-1) and Streams is given the same codec. One pair: a figure beside
            // the goal, not the goal.
            gzipFerry = throughput(topics, ferryMover, source, count, prefix, "gzip-ferry", null);
            gzipStreams = throughput(topics, streamsGzip, source, count, prefix, "gzip-streams", null);
            AppendLatency latency = new AppendLatency(topics, producer, prefix);
            ferryLatency = latency.measure(ferryMover, "latency-ferry", LATENCY_RATE, latencySeconds);
            streamsLatency = latency.measure(streamsMover, "latency-streams", LATENCY_RATE, latencySeconds);
        }
        String details = n + " JSON records (~45 B) per repetition, " + MoveTopics.PARTITIONS + " partitions; Ferry: "
                + "echo behind a PARTITION trigger, format JSON, batchSize 1, 1 replica; baseline: Streams mapValues "
                + "at exactly_once_v2, 1 stream thread, commit.interval.ms " + StreamsMover.COMMIT_INTERVAL_MS
                + "; destinations compression.type=" + DESTINATION_CODEC + ": Ferry writes a destination's own "
                + "codec and Streams' producer does not compress by default, so both write none (the same work, the "
                + "baseline at its defaults)"
                + "; first to last output: Ferry " + Format.number(ferrySteady.median()) + "/s, Streams "
                + Format.number(streamsSteady.median()) + "/s; start to first output: Ferry "
                + Format.number(ferryStartup.median()) + " s, Streams " + Format.number(streamsStartup.median())
                + " s; CPU per record (every thread of the process, the embedded broker's included): Ferry "
                + Format.number(ferryCpu.median()) + " us, Streams " + Format.number(streamsCpu.median()) + " us"
                + "; variant, destinations left to producers (Ferry falls back to topic.user.compression.type "
                + config.topics().userCompressionType() + ", Streams' producer given gzip-1), one pair: CPU per "
                + "record Ferry " + Format.number(gzipFerry.cpuMicrosPerRecord()) + " us, Streams "
                + Format.number(gzipStreams.cpuMicrosPerRecord()) + " us, ratio "
                + Format.number(gzipFerry.perSecond() / gzipStreams.perSecond())
                + "; end-to-end (source append to destination append) p50/p99 ms at " + LATENCY_RATE + "/s for "
                + latencySeconds + " s: Ferry " + percentiles(ferryLatency) + ", Streams "
                + percentiles(streamsLatency);
        return Outcome.of(name(), "records/s", ferry, streams, true, 0.8, details);
    }

    /** One timed copy. */
    record Run(double perSecond, double steadyPerSecond, double startupSeconds, double cpuMicrosPerRecord) {
    }

    /** Copies {@code source} ({@code count} records) with a fresh group into a fresh destination, timed. */
    private static Run throughput(MoveTopics topics, RecordMover mover, String source, long count, String prefix,
            String run, String codec) throws Exception {
        String destination = prefix + run + ".destination";
        topics.create(true, codec, List.of(destination));
        long startMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        long deadline = start + Duration.ofMinutes(5).toNanos();
        double seconds;
        long cpuNanos;
        // CPU time is read before the copy stops, while its threads live: a busy shared machine stretches wall time
        // far more than the CPU a record costs (issue 16).
        ThreadCpuTimes cpuBefore = ThreadCpuTimes.now();
        try (RecordMover.Moving moving = mover.start(source, destination, run)) {
            long committed;
            while ((committed = topics.committed(moving.group(), source)) < count) {
                if (System.nanoTime() > deadline) {
                    throw new FerryException(mover.label() + " committed " + committed + " of " + count
                            + " source offsets within 5 minutes");
                }
                Thread.sleep(20);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            cpuNanos = ThreadCpuTimes.now().nanosSince(cpuBefore);
        }
        List<MoveTopics.Output> outputs = topics.readAll(destination, Duration.ofMinutes(2));
        BitSet seen = new BitSet();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (MoveTopics.Output output : outputs) {
            if (output.seq() < 0 || output.seq() >= count || seen.get((int) output.seq())) {
                throw new FerryException(mover.label() + " wrote an unexpected or repeated record (seq "
                        + output.seq() + ") to " + destination);
            }
            seen.set((int) output.seq());
            first = Math.min(first, output.timestamp());
            last = Math.max(last, output.timestamp());
        }
        if (outputs.size() != count) {
            throw new FerryException(mover.label() + " wrote " + outputs.size() + " of " + count + " records to "
                    + destination);
        }
        double steady = last > first ? (count - 1) * 1000.0 / (last - first) : Double.NaN;
        // Each copy's CPU per record too, so a change is judged by adjacent pairs, not medians alone (issue 16).
        log.info("{} {}: {} records in {} s, first output after {} ms, CPU per record {} us", mover.label(), run,
                count, Format.number(seconds), first - startMillis, Format.number(cpuNanos / 1000.0 / count));
        return new Run(count / seconds, steady, (first - startMillis) / 1000.0, cpuNanos / 1000.0 / count);
    }

    private static String percentiles(Histogram h) {
        return h.getValueAtPercentile(50) + "/" + h.getValueAtPercentile(99);
    }
}
