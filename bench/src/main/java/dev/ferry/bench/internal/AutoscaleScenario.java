package dev.ferry.bench.internal;

import dev.ferry.autoscaler.AsyncActuator;
import dev.ferry.autoscaler.InProcessActuator;
import dev.ferry.autoscaler.LagCollector;
import dev.ferry.autoscaler.PredictivePolicy;
import dev.ferry.autoscaler.RunTimes;
import dev.ferry.autoscaler.ScalingController;
import dev.ferry.autoscaler.simulation.KedaBaseline;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.ScalingDecision;
import dev.ferry.worker.WorkerContext;
import dev.ferry.worker.WorkerPool;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code autoscale-lag-seconds}: a step of load on two identical {@code sleep} functions with real worker pools on
 * the real broker; one pool sized by Ferry's {@link ScalingController} with the predictive policy, the other by
 * {@link KedaBaseline} (the autoscaler simulator's KEDA model). Both read the same {@link LagCollector} sample every second. Every time window of both
 * scalers is compressed by {@link #COMPRESSION} so a step fits in a minute: KEDA polls every 3 s and stabilizes
 * over 30 s; Ferry stabilizes over 3 s and idles over 6 s.
 *
 * <p>Measures, per scaler: lag-seconds (the integral of the group's lag), time to the first scale-up after the
 * step, time to drain (from the step's start to the last sample whose lag exceeded one replica's target), and
 * replica-seconds (sizes asked for, integrated). The ratio is Ferry's lag-seconds over KEDA's. Beside the lag,
 * unfinished-seconds integrate the invocations sent and without a result on {@code ferry.results} yet (waiting or
 * running), counted from outside the group: a check that the lag the scalers see is what callers wait.
 */
public final class AutoscaleScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(AutoscaleScenario.class);
    static final double COMPRESSION = 10;
    static final int PARTITIONS = 6;
    static final int MAX_REPLICAS = 8;
    static final int TARGET_LAG = 10;
    static final int SLEEP_MS = 100;
    static final double BASE_RATE = 4;
    static final double STEP_RATE = 35;
    /** Seconds past the run's planned end that it goes on while a pool is still above the size the step met. */
    static final double TAIL_LIMIT = 40;

    /** One scaler's figures from one run. */
    record Run(double lagSeconds, double unfinishedSeconds, double replicaSeconds, double firstScaleUpSeconds,
            double drainSeconds, int peakReplicas) {
        String describe() {
            return String.format(Locale.ROOT, "lag-s %s (unfinished-s %s), replica-s %s, first scale-up %s s, "
                    + "drained %s s after the step began, peak %d", Format.number(lagSeconds),
                    Format.number(unfinishedSeconds), Format.number(replicaSeconds),
                    Format.number(firstScaleUpSeconds), Format.number(drainSeconds), peakReplicas);
        }
    }

    @Override
    public String name() {
        return "autoscale-lag-seconds";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        // Five pairs are the fewest a sign test can decide from (issue 16), and then only if all five agree; nine let
        // one pair in nine fall on the other side (8 of 9 by chance: 10/512) while the goal is still decided, which a
        // real broker's share-group regroups (a pool serving nothing for ~2 s now and then) call for. The quick run's
        // one pair only shows the way.
        int repetitions = quick ? 1 : 9;
        int before = quick ? 6 : 10;
        int step = quick ? 20 : 40;
        int after = quick ? 16 : 30;
        Samples ferry = new Samples();
        Samples keda = new Samples();
        Samples ferryReplicas = new Samples();
        Samples kedaReplicas = new Samples();
        StringBuilder details = new StringBuilder();
        for (int i = 0; i < repetitions; i++) {
            Run[] runs = once(cluster, before, step, after);
            ferry.add(runs[0].lagSeconds());
            keda.add(runs[1].lagSeconds());
            ferryReplicas.add(runs[0].replicaSeconds());
            kedaReplicas.add(runs[1].replicaSeconds());
            log.info("autoscale repetition {}: Ferry {}; KEDA {}", i + 1, runs[0].describe(), runs[1].describe());
            details.append(i == 0 ? "" : "; ").append("Ferry ").append(runs[0].describe()).append(" vs KEDA ")
                    .append(runs[1].describe());
        }
        details.append("; step ").append(Format.number(BASE_RATE)).append(" -> ").append(Format.number(STEP_RATE))
                .append("/s for ").append(step).append(" s, ").append(SLEEP_MS).append(" ms per invocation, ")
                .append("windows compressed ").append(Format.number(COMPRESSION)).append("x, real pools")
                .append(repetitions == 1 ? ", 1 repetition" : "");
        // Both scalers run at the same time in each repetition, so each repetition is a pair.
        PairedRatios replicaRatios = PairedRatios.of(ferryReplicas, kedaReplicas);
        details.append("; replica-seconds ").append(replicaRatios.describe(1.0, false));
        return Outcome.paired(name(), "lag-seconds", ferry, keda, false, 0.5, details.toString())
                .withCondition("no more replica-seconds", replicaRatios.decide(1.0, false));
    }

    private static Run[] once(BenchCluster cluster, int before, int step, int after) throws Exception {
        FerryConfig config = cluster.config("autoscale", Map.of());
        TopicCatalog topics = new TopicCatalog(config);
        FunctionSpec ferrySpec = spec("ferry-scaled");
        FunctionSpec kedaSpec = spec("keda-scaled");
        KafkaClients clients = new KafkaClients(config);
        // As AutoscalerService does: the policy knows a replica's speed from the function's run times (the
        // throughput model, issue 17) until busy samples teach it the measured one.
        PredictivePolicy policy = new PredictivePolicy(Duration.ofSeconds(1));
        RunTimes runTimes = new RunTimes();
        policy.useRunTimes(runTimes);
        Deserializer<InvocationResult> results = new AvroSerdes(config).deserializer(InvocationResult.class);
        ScalingController controller = new ScalingController(policy,
                new ScalingController.Settings(Duration.ofMillis(3_000), Duration.ofMillis(6_000),
                        Duration.ofMillis(3_000), 100), Clock.systemUTC());
        KedaBaseline kedaScaler = new KedaBaseline(TARGET_LAG, PARTITIONS, MAX_REPLICAS, 1, COMPRESSION);
        Tally ferryTally = new Tally(before);
        Tally kedaTally = new Tally(before);
        FunctionRef ferryRef = FunctionSpecs.ref(ferrySpec);
        Map<String, AtomicLong> finished = Map.of(
                ferrySpec.getName(), new AtomicLong(),
                kedaSpec.getName(), new AtomicLong());
        try (WorkerContext context = new WorkerContext(config);
             WorkerPool ferryWorkers = new WorkerPool(ferrySpec, context, 1);
             WorkerPool kedaWorkers = new WorkerPool(kedaSpec, context, 1);
             // The autoscaler's own actuator path: resizes off this loop, latest-wins per pool.
             AsyncActuator pools = new AsyncActuator(new InProcessActuator(
                     (ref, size) -> (ref.equals(ferryRef) ? ferryWorkers : kedaWorkers).resize(size)), 2);
             Admin admin = clients.admin("bench-autoscale-lag");
             TopicTail runTimesTail = TopicTail.builder(clients, topics.results(), r -> {
                 if (r.value() != null) {
                     InvocationResult result = results.deserialize(r.topic(), r.headers(), r.value());
                     runTimes.observe(result);
                     var count = finished.get(result.getFunction().toString());
                     if (count != null) {
                         count.incrementAndGet();
                     }
                 }
             }).name("bench-autoscale-run-times").from(TopicTail.Start.end()).build().start();
             KafkaConsumer<byte[], byte[]> counter = clients.consumer(null, "bench-autoscale-lag-counter",
                     new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
             KafkaProducer<String, InvocationRequest> producer = clients.producer("bench-autoscale-load",
                     new StringSerializer(), new AvroSerdes(config).serializer(InvocationRequest.class), Map.of())) {
            LagCollector collector = new LagCollector(admin, counter, topics, () -> List.of(ferrySpec, kedaSpec),
                    Clock.systemUTC());
            collector.collect(); // the first reading only sets the base of the rates
            Load load = new Load(producer, topics, List.of(ferrySpec, kedaSpec), before, step);
            Thread loadThread = new Thread(load, "bench-autoscale-load");
            loadThread.setDaemon(true);
            long start = System.nanoTime();
            loadThread.start();
            double last = 0;
            double end = before + step + after;
            int ferrySize = 1;
            int kedaSize = 1;
            while (true) {
                // A second after each reading, as the service's CollectLoop (a fixed delay of autoscaler.poll.ms):
                // a fixed rate would follow a slow reading with one a few hundred ms later, whose rates over so
                // short an interval swung from 4 to 30/s at a steady 4/s and made the rate-aware policy flap.
                Thread.sleep(1_000);
                double now = (System.nanoTime() - start) / 1e9;
                // Both pools are paid until they are back at the size the step met (at most TAIL_LIMIT more): a run
                // cut while one scaler still holds its step size (KEDA stabilizes over 30 s) would not count what
                // that hold costs.
                if (now > end && (now > end + TAIL_LIMIT || ferryTally.settled(ferrySize)
                        && kedaTally.settled(kedaSize))) {
                    break;
                }
                // Counted as the reading begins, when the collector lists the end offsets its lag is measured at.
                long sent = load.sent();
                long ferryUnfinished = sent - finished.get(ferrySpec.getName()).get();
                long kedaUnfinished = sent - finished.get(kedaSpec.getName()).get();
                long readStart = System.nanoTime();
                List<LagSample> samples = collector.collect();
                double readSeconds = (System.nanoTime() - readStart) / 1e9;
                for (LagSample sample : samples) {
                    boolean isFerry = sample.getFunction().equals(ferrySpec.getName());
                    if (isFerry) {
                        int sizeBefore = ferrySize;
                        for (ScalingDecision d : controller.onSample(ferrySpec, sample)) {
                            log.debug("Ferry decision {} -> {}: {}", d.getFrom(), d.getTo(), d.getReason());
                            pools.apply(d);
                            ferrySize = d.getTo();
                        }
                        ferryTally.observe(now, now - last, sample.getTotalLag(), ferryUnfinished, sizeBefore,
                                ferrySize);
                        log.debug("t={} Ferry lag {} unfinished {} read {} s arrival {} service {} members {} -> {}",
                                Format.number(now), sample.getTotalLag(), ferryUnfinished, Format.number(readSeconds),
                                Format.number(sample.getArrivalRate()),
                                Format.number(sample.getServiceRate()), sample.getReplicas(), ferrySize);
                    } else {
                        int sizeBefore = kedaSize;
                        int size = kedaScaler.observe(now, sample.getTotalLag());
                        if (size != kedaSize) {
                            pools.apply(ScalingDecision.newBuilder().setTenant(kedaSpec.getTenant())
                                    .setFunction(kedaSpec.getName()).setAt(sample.getAt()).setFrom(kedaSize)
                                    .setTo(size).setReason("KEDA baseline").setPolicy("keda").build());
                            kedaSize = size;
                        }
                        kedaTally.observe(now, now - last, sample.getTotalLag(), kedaUnfinished, sizeBefore, kedaSize);
                        log.debug("t={} KEDA lag {} unfinished {} members {} -> {}", Format.number(now),
                                sample.getTotalLag(), kedaUnfinished, sample.getReplicas(), kedaSize);
                    }
                }
                last = now;
            }
            load.stop();
            loadThread.join(5_000);
        }
        return new Run[] {ferryTally.run(), kedaTally.run()};
    }

    private static FunctionSpec spec(String name) {
        return FunctionSpecs.builder(Invocations.TENANT, name, Runtime.JAVA, "sleep").setPartitions(PARTITIONS)
                .setConcurrency(1).setMinReplicas(0).setMaxReplicas(MAX_REPLICAS).setTargetLagPerReplica(TARGET_LAG)
                .setTimeoutMs(5_000).setMaxAttempts(1).build();
    }

    /** Integrates one scaler's lag and replicas over the run, and notes its reaction times around the step. */
    private static final class Tally {
        private final double stepStart;
        private double lagSeconds;
        private double unfinishedSeconds;
        private double replicaSeconds;
        private double firstScaleUp = Double.NaN;
        private double lastOverTarget = Double.NaN;
        private int sizeAtStep = -1;
        private int peak;

        Tally(double stepStart) {
            this.stepStart = stepStart;
        }

        /**
         * @param lag the group's lag in the sample
         * @param unfinished invocations sent to the function and without a result on ferry.results yet (waiting or
         *     running), counted as the reading began: a check on the lag from outside the group
         * @param before the size in force when the sample was taken
         * @param replicas the size after the scaler's decision on it
         */
        void observe(double now, double dt, long lag, long unfinished, int before, int replicas) {
            lagSeconds += lag * dt;
            unfinishedSeconds += unfinished * dt;
            // The interval that ended with this sample ran at the size in force during it; a size decided now is
            // paid from now on (charging it for the interval before made a quick scale-up cost a second early).
            replicaSeconds += before * dt;
            peak = Math.max(peak, replicas);
            if (now >= stepStart && sizeAtStep < 0) {
                // The size the step met: a scale-up decided on the step's first sample is its first reaction.
                sizeAtStep = before;
            }
            if (sizeAtStep >= 0 && Double.isNaN(firstScaleUp) && replicas > sizeAtStep) {
                firstScaleUp = now - stepStart;
            }
            if (now >= stepStart && lag > TARGET_LAG) {
                lastOverTarget = now;
            }
        }

        /** Whether a pool of {@code size} is back at the size the step met (at least one: the base load stays). */
        boolean settled(int size) {
            return sizeAtStep >= 0 && size <= Math.max(1, sizeAtStep);
        }

        Run run() {
            double drain = Double.isNaN(lastOverTarget) ? 0 : lastOverTarget - stepStart;
            return new Run(lagSeconds, unfinishedSeconds, replicaSeconds, firstScaleUp, drain, peak);
        }
    }

    /** Produces the step to every function's work topic at the same rate, straight past the dispatcher. */
    private static final class Load implements Runnable {
        private final KafkaProducer<String, InvocationRequest> producer;
        private final TopicCatalog topics;
        private final List<FunctionSpec> functions;
        private final double before;
        private final double stepEnd;
        private volatile boolean running = true;
        private final AtomicLong sent = new AtomicLong();

        /** Invocations sent to each function so far. */
        long sent() {
            return sent.get();
        }

        Load(KafkaProducer<String, InvocationRequest> producer, TopicCatalog topics, List<FunctionSpec> functions,
                int before, int step) {
            this.producer = producer;
            this.topics = topics;
            this.functions = functions;
            this.before = before;
            this.stepEnd = before + step;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            byte[] payload = ("{\"ms\":" + SLEEP_MS + "}").getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            double owed = 0;
            double previous = 0;
            while (running) {
                double now = (System.nanoTime() - start) / 1e9;
                // The base load goes on past the planned end while the run waits for both pools to settle.
                double rate = now >= before && now < stepEnd ? STEP_RATE : BASE_RATE;
                owed += rate * (now - previous);
                previous = now;
                for (; owed >= 1; owed--) {
                    for (FunctionSpec spec : functions) {
                        FunctionRef ref = FunctionSpecs.ref(spec);
                        String id = Invocations.newId();
                        InvocationRequest request = Invocations.request(id);
                        request.setFunction(spec.getName());
                        request.setPayload(ByteBuffer.wrap(payload));
                        producer.send(new ProducerRecord<>(topics.work(ref), id, request));
                    }
                    sent.incrementAndGet();
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
