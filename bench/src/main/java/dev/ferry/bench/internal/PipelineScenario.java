package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.InvocationRequest;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pipeline-throughput}: N echo invocations produced to an input topic as fast as the producer goes, timed
 * until the last result is readable (read_committed) on the result topic. Ferry's dispatcher with two worker pools
 * (the echo function as {@code QUEUE}, served by a share group, and as {@code ORDERED}, by a consumer group) against
 * two baselines: {@link RawPipeline}, the same protocol mechanics (a transactional hop and a share-group hop), and
 * {@link PlainPipeline}, what a user would write instead of Ferry (two plain at-least-once consumer-group hops;
 * issue 16, part 4). Two more plain pipelines whose second hop is a share group (acquiring as a worker acquiring
 * ahead does, and at the client's defaults) say how much of the gap is the share group itself. Everything stays up for the whole
 * scenario and every repetition runs each side once, the order rotating, so a change in the machine's load hits
 * all alike.
 *
 * <p>Three lines: {@code pipeline-throughput} (QUEUE against the same mechanics, goal 0.8), {@code
 * pipeline-vs-plain-queue} (QUEUE against the plain pipeline, goal 0.3) and {@code pipeline-vs-plain-ordered}
 * (ORDERED against it, goal 0.5).
 */
public final class PipelineScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(PipelineScenario.class);
    static final int WORK_PARTITIONS = 6;
    static final int REPLICAS = 2;
    static final int CONCURRENCY = 32;
    static final String ORDERED_FUNCTION = "echo-ordered";
    /** Unmeasured repetitions of every side before the measured ones. */
    static final int WARM_UPS = 2;

    private final Integer invocationsOverride;

    public PipelineScenario() {
        this(null);
    }

    /** @param invocations per repetition; null for the mode's default */
    public PipelineScenario(Integer invocations) {
        this.invocationsOverride = invocations;
    }

    @Override
    public String name() {
        return "pipeline-throughput";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        return outcomes(cluster, quick).get(0);
    }

    /** One way through two hops: where its load goes, for which function, and where its results appear. */
    private record Side(String label, String input, String function, ResultCounter results, Samples samples,
            String hop2Client, double[] hop2Fetches) {
        Side(String label, String input, String function, ResultCounter results, String hop2Client) {
            this(label, input, function, results, new Samples(), hop2Client, new double[1]);
        }

        /** Hop 2's fetches (share fetches or consumer fetches) per 1,000 records, from the counted repetition. */
        String fetchesPerThousand() {
            return Format.number(hop2Fetches[0]);
        }
    }

    @Override
    public List<Outcome> outcomes(BenchCluster cluster, boolean quick) throws Exception {
        int n = invocationsOverride != null ? invocationsOverride : quick ? 10_000 : 30_000;
        int repetitions = quick ? 3 : 5;
        FerryConfig config = cluster.config("pipeline", Map.of(DispatcherConfig.TRANSACTIONAL_ID,
                "bench-dispatcher-" + UUID.randomUUID()));
        KafkaClients clients = new KafkaClients(config);
        int inputPartitions = config.topics().partitions();
        try (FerryStack stack = new FerryStack(config, WORK_PARTITIONS, REPLICAS, CONCURRENCY);
             RawPipeline raw = new RawPipeline(config, inputPartitions, WORK_PARTITIONS, REPLICAS, CONCURRENCY);
             PlainPipeline plain = new PlainPipeline(config, "plain", PlainPipeline.Hop2.CONSUMER_GROUP,
                     inputPartitions, WORK_PARTITIONS, REPLICAS, CONCURRENCY);
             PlainPipeline plainShare = new PlainPipeline(config, "plainshare", PlainPipeline.Hop2.SHARE_GROUP,
                     inputPartitions, WORK_PARTITIONS, REPLICAS, CONCURRENCY);
             PlainPipeline plainShareBatches = new PlainPipeline(config, "plainsharebatch",
                     PlainPipeline.Hop2.SHARE_GROUP_BATCHES, inputPartitions, WORK_PARTITIONS, REPLICAS,
                     CONCURRENCY);
             KafkaProducer<String, InvocationRequest> producer = clients.producer("bench-load",
                     new StringSerializer(), new AvroSerdes(config).serializer(InvocationRequest.class), Map.of());
             ResultCounter ferryResults = new ResultCounter(clients, stack.topics().results());
             ResultCounter rawResults = new ResultCounter(clients, raw.resultTopic());
             ResultCounter plainResults = new ResultCounter(clients, plain.resultTopic());
             ResultCounter plainShareResults = new ResultCounter(clients, plainShare.resultTopic());
             ResultCounter plainShareBatchResults = new ResultCounter(clients, plainShareBatches.resultTopic())) {
            stack.deploy(ORDERED_FUNCTION, Delivery.ORDERED, WORK_PARTITIONS, REPLICAS, CONCURRENCY);
            String ferryInput = stack.topics().invocations();
            // Hop 2's consumers, by the client ids they are built with.
            List<Side> sides = List.of(
                    new Side("ferry QUEUE", ferryInput, Invocations.FUNCTION, ferryResults,
                            Invocations.TENANT + "/" + Invocations.FUNCTION + "#"),
                    new Side("ferry ORDERED", ferryInput, ORDERED_FUNCTION, ferryResults,
                            Invocations.TENANT + "/" + ORDERED_FUNCTION + "#"),
                    new Side("raw txn+share", raw.inputTopic(), Invocations.FUNCTION, rawResults, ".raw.hop2-"),
                    new Side("plain", plain.inputTopic(), Invocations.FUNCTION, plainResults, ".plain.hop2-"),
                    new Side("plain+share", plainShare.inputTopic(), Invocations.FUNCTION, plainShareResults,
                            ".plainshare.hop2-"),
                    new Side("plain+share batches", plainShareBatches.inputTopic(), Invocations.FUNCTION,
                            plainShareBatchResults, ".plainsharebatch.hop2-"));
            // Warm-up: JIT, group joins, first transactions, registry lookups. Whole unmeasured repetitions, the
            // order rotating as in the measured ones: with a quarter of one per side (session 19), every side was
            // still speeding up through the measured repetitions (plain 24.6k to 52.7k records/s) and ORDERED's
            // fell in two modes (18k and 36k records/s), which decided its ratio more than the code did.
            for (int w = 0; w < WARM_UPS; w++) {
                for (int k = 0; k < sides.size(); k++) {
                    Side side = sides.get((w + k) % sides.size());
                    throughput(producer, side.input(), side.function(), side.results(), n);
                }
            }
            for (int i = 0; i < repetitions; i++) {
                StringBuilder line = new StringBuilder();
                for (int k = 0; k < sides.size(); k++) {
                    Side side = sides.get((i + k) % sides.size());
                    boolean count = i == repetitions - 1;
                    Map<String, Double> before = count ? ClientCounts.snapshot() : Map.of();
                    double batches = count ? transactions().count() : 0;
                    double batched = count ? transactions().totalAmount() : 0;
                    double rate = throughput(producer, side.input(), side.function(), side.results(), n);
                    side.samples().add(rate);
                    if (count) {
                        Map<String, Double> after = ClientCounts.snapshot();
                        side.hop2Fetches()[0] = 1000 * ClientCounts.delta(before, after, key -> key.contains(
                                side.hop2Client()) && key.endsWith("fetch-manager-metrics fetch-total")) / n;
                        // What each side did per record (load-independent): requests, fetches, commits, acks.
                        log.info("pipeline counts of {} over {} records (dispatcher: {} transactions, {} records "
                                + "each):{}", side.label(), n, transactions().count() - batches,
                                Format.number((transactions().totalAmount() - batched)
                                        / Math.max(1, transactions().count() - batches)),
                                ClientCounts.perRecord(before, after, n));
                    }
                    line.append(k == 0 ? "" : ", ").append(side.label()).append(' ').append(Format.number(rate));
                }
                log.info("pipeline repetition {} (records/s): {}", i + 1, line);
            }
            Samples queue = sides.get(0).samples();
            Samples ordered = sides.get(1).samples();
            Samples rawSamples = sides.get(2).samples();
            Samples plainSamples = sides.get(3).samples();
            String common = n + " echo invocations per repetition, " + WORK_PARTITIONS + " work partitions, "
                    + REPLICAS + " replicas x concurrency " + CONCURRENCY;
            String shareSplit = "share group's part: plain two-hop whose hop 2 is a share group "
                    + Format.number(sides.get(4).samples().median()) + " records/s (record_limit " + config.worker().queueAcquireAheadRecords(CONCURRENCY)
                    + ", as a worker acquiring ahead; " + Format.ratio(sides.get(4).samples().median() / plainSamples.median())
                    + " of plain), at the client's acquisition defaults "
                    + Format.number(sides.get(5).samples().median()) + " records/s ("
                    + Format.ratio(sides.get(5).samples().median() / plainSamples.median()) + "; repetitions "
                    + sides.get(4).samples() + " and " + sides.get(5).samples() + "); hop 2 fetches per 1,000 "
                    + "records (last repetition): Ferry QUEUE " + sides.get(0).fetchesPerThousand() + ", raw "
                    + sides.get(2).fetchesPerThousand() + ", plain+share " + sides.get(4).fetchesPerThousand()
                    + ", plain+share batches " + sides.get(5).fetchesPerThousand() + ", plain "
                    + sides.get(3).fetchesPerThousand();
            return List.of(
                    Outcome.of(name(), "records/s", queue, rawSamples, true, 0.8, common + ", QUEUE, baseline: "
                            + "transactional hop + share-group hop"),
                    Outcome.of("pipeline-vs-plain-queue", "records/s", queue, plainSamples, true, 0.3, common
                            + ", QUEUE, baseline: plain at-least-once consumer-group two-hop (commit after "
                            + "produce); " + shareSplit),
                    Outcome.of("pipeline-vs-plain-ordered", "records/s", ordered, plainSamples, true, 0.5, common
                            + ", ORDERED (keyless), baseline: plain at-least-once consumer-group two-hop (commit "
                            + "after produce); hop 2 fetches per 1,000 records (last repetition): Ferry ORDERED "
                            + sides.get(1).fetchesPerThousand() + ", plain " + sides.get(3).fetchesPerThousand()));
        }
    }

    /** The dispatcher's records per transaction (its own meter in the process registry). */
    private static DistributionSummary transactions() {
        return DistributionSummary.builder("ferry.dispatcher.batch.records").register(FerryMetrics.registry());
    }

    /** Records/s of invocations of {@code function} from the first send to the last result read. */
    static double throughput(KafkaProducer<String, InvocationRequest> producer, String topic, String function,
            ResultCounter results, int n) throws InterruptedException {
        Set<String> ids = new HashSet<>();
        String key = Invocations.TENANT + "/" + function; // the gateway's key for keyless requests
        long start = System.nanoTime();
        Future<?> last = null;
        for (int i = 0; i < n; i++) {
            String id = Invocations.newId();
            ids.add(id);
            last = producer.send(new ProducerRecord<>(topic, key, Invocations.request(id, function)));
        }
        producer.flush();
        try {
            last.get();
        } catch (ExecutionException e) {
            throw new FerryException("Cannot produce the load to " + topic + ": " + e.getCause(), e.getCause());
        }
        results.awaitAll(ids, Duration.ofSeconds(120));
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
