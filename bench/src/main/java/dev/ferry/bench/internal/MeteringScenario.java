package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.metering.MeteringTopology;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code metering-eos-throughput}: the billing topology of {@code dev.ferry.metering} over a pre-filled
 * {@code ferry.results}, under exactly_once_v2 against itself under at_least_once; same topology, same settings,
 * same input, each run a fresh {@code application.id} and state directory. A run is timed from the moment the
 * application is RUNNING until its stream threads have processed every record of both sub-topologies (the results
 * and the repartitioned stream) and its offsets on the results topic are committed.
 *
 * <p>The backlog is long enough (about 5 s of work quick, 15 s full on the 2-core machine) that the commit interval
 * ({@code metering.commit.interval.ms}, 1 s) is a small part of a run: under exactly-once the records a commit
 * releases to the repartitioned stream are billed after that commit, so a run ends up to one interval's work later
 * than at_least_once whatever the backlog (issue 16 measured 100 000 results, about 2 s of work, where that tail was
 * a fifth of the run). The details give it: the median paired difference of the two sides' run times.
 */
public final class MeteringScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(MeteringScenario.class);
    private static final int TENANTS = 5;
    private static final int FUNCTIONS = 7;

    @Override
    public String name() {
        return "metering-eos-throughput";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        int n = quick ? 100_000 : 300_000;
        // Five pairs are the fewest a sign test can decide from (issue 16); eleven let two pairs fall on the other
        // side (9 of 11 by chance: 67/2048) while the goal is still decided.
        int repetitions = quick ? 5 : 11;
        Path stateRoot = Files.createTempDirectory("ferry-bench-metering");
        Samples eos = new Samples();
        Samples alos = new Samples();
        Samples extraSeconds = new Samples();
        long commitIntervalMs;
        try {
            FerryConfig warm = config(cluster, stateRoot);
            long warmCount = fill(warm, n / 10);
            seconds(warm, StreamsConfig.EXACTLY_ONCE_V2, warmCount, "warm");
            FerryConfig config = config(cluster, stateRoot);
            commitIntervalMs = config.metering().commitIntervalMs();
            long count = fill(config, n);
            for (int i = 0; i < repetitions; i++) {
                // Alternate which guarantee goes first, so neither always runs on a cooler machine.
                boolean eosFirst = i % 2 == 0;
                double first = seconds(config, eosFirst ? StreamsConfig.EXACTLY_ONCE_V2
                        : StreamsConfig.AT_LEAST_ONCE, count, "r" + i);
                double second = seconds(config, eosFirst ? StreamsConfig.AT_LEAST_ONCE
                        : StreamsConfig.EXACTLY_ONCE_V2, count, "r" + i);
                double eosSeconds = eosFirst ? first : second;
                double alosSeconds = eosFirst ? second : first;
                eos.add(count / eosSeconds);
                alos.add(count / alosSeconds);
                extraSeconds.add(eosSeconds - alosSeconds);
                log.info("metering repetition {}: exactly_once_v2 {} /s, at_least_once {} /s", i + 1,
                        eos.values().get(i), alos.values().get(i));
            }
        } finally {
            deleteQuietly(stateRoot);
        }
        return Outcome.paired(name(), "results/s", eos, alos, true, 0.85, n + " results of " + TENANTS * FUNCTIONS
                + " functions per run, exactly_once_v2 vs at_least_once, " + MeteringConfig.COMMIT_INTERVAL_MS
                + " at its default (" + commitIntervalMs + " ms); a run "
                + Format.number(n / alos.median()) + " s at_least_once, exactly_once_v2 "
                + Format.number(extraSeconds.median()) + " s longer (median of pairs)");
    }

    private static FerryConfig config(BenchCluster cluster, Path stateRoot) {
        // Production windows (1 min, 5 min grace): the minute of pre-filled results is never late.
        return cluster.config("metering", Map.of(MeteringConfig.STATE_DIR, stateRoot.toString()));
    }

    /**
     * Writes {@code n} SUCCEEDED results over the last minute, spread over tenants and functions; returns how many
     * records the topic holds, which a producer retry right after the topic's creation can make differ from n.
     */
    private static long fill(FerryConfig config, int n) throws Exception {
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        try (Admin admin = clients.admin("bench-metering-admin")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics());
        }
        long base = Instant.now().minusSeconds(60).toEpochMilli();
        try (KafkaProducer<String, InvocationResult> producer = clients.producer("bench-metering-fill",
                new StringSerializer(), new AvroSerdes(config).serializer(InvocationResult.class), Map.of())) {
            for (int i = 0; i < n; i++) {
                Instant at = Instant.ofEpochMilli(base + (long) i * 60_000 / n);
                String id = Invocations.newId();
                producer.send(new ProducerRecord<>(topics.results(), id, InvocationResult.newBuilder()
                        .setInvocationId(id).setTenant("t" + i % TENANTS).setFunction("f" + i % FUNCTIONS)
                        .setAttempt(1).setStatus(InvocationStatus.SUCCEEDED).setOutput(null)
                        .setContentType("application/json").setError(null).setMemoryMb(128 * (1 + i % 4))
                        .setSubmittedAt(at).setStartedAt(at).setFinishedAt(at).setDurationMicros(1_000 + i % 5_000)
                        .setColdStart(false).setWorker("bench#0").build()));
            }
            producer.flush();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, "bench-metering-count",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.results(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(topics.results(), p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Seconds one fresh application takes over the whole topic. */
    private static double seconds(FerryConfig config, String guarantee, long n, String run) throws Exception {
        TopicCatalog topics = new TopicCatalog(config);
        String applicationId = topics.meteringApplicationId() + "-" + guarantee.replace('_', '-') + "-" + run;
        Properties props = MeteringTopology.streamsProperties(config, guarantee);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.metering().stateDir() + "/" + applicationId);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 10_000);
        CountDownLatch running = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(MeteringTopology.build(config, new AvroSerdes(config),
                guarantee), props);
             Admin admin = new KafkaClients(config).admin(applicationId + "-probe")) {
            long[] start = new long[1];
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING && running.getCount() > 0) {
                    start[0] = System.nanoTime();
                    running.countDown();
                }
            });
            streams.start();
            if (!running.await(60, TimeUnit.SECONDS)) {
                throw new FerryException("Metering (" + guarantee + ") did not reach RUNNING within 60 s");
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (processed(streams) < 2L * n || committed(admin, applicationId, topics.results()) < n) {
                if (System.nanoTime() > deadline) {
                    throw new FerryException("Metering (" + guarantee + ") processed " + processed(streams)
                            + " of " + 2L * n + " records within 3 minutes");
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - start[0]) / 1e9;
            streams.close(Duration.ofSeconds(30));
            return seconds;
        }
    }

    /** Records taken from a source by the stream threads: each result counts twice, once per sub-topology. */
    private static long processed(KafkaStreams streams) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            if (name.name().equals("process-total") && name.group().equals("stream-thread-metrics")) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return (long) total;
    }

    private static long committed(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", root, e.toString());
        }
    }
}
