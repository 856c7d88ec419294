package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.schemas.InvocationRequest;
import java.time.Duration;
import java.util.HashSet;
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
 * {@code pipeline-throughput}: N echo invocations produced to the input topic as fast as the producer goes, timed
 * until the last result is readable (read_committed) on the result topic; Ferry's dispatcher and worker pool
 * against {@link RawPipeline}. Both stay up for the whole scenario and their repetitions alternate, so a change
 * in the machine's load hits both alike.
 */
public final class PipelineScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(PipelineScenario.class);
    static final int WORK_PARTITIONS = 6;
    static final int REPLICAS = 2;
    static final int CONCURRENCY = 32;

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
        int n = invocationsOverride != null ? invocationsOverride : quick ? 3_000 : 20_000;
        int repetitions = quick ? 3 : 5;
        FerryConfig config = cluster.config("pipeline", Map.of(DispatcherConfig.TRANSACTIONAL_ID,
                "bench-dispatcher-" + UUID.randomUUID()));
        KafkaClients clients = new KafkaClients(config);
        Samples ferry = new Samples();
        Samples raw = new Samples();
        try (FerryStack stack = new FerryStack(config, WORK_PARTITIONS, REPLICAS, CONCURRENCY);
             RawPipeline baseline = new RawPipeline(config, config.topics().partitions(), WORK_PARTITIONS, REPLICAS,
                     CONCURRENCY);
             KafkaProducer<String, InvocationRequest> producer = clients.producer("bench-load",
                     new StringSerializer(), new AvroSerdes(config).serializer(InvocationRequest.class), Map.of());
             ResultCounter ferryResults = new ResultCounter(clients, stack.topics().results());
             ResultCounter rawResults = new ResultCounter(clients, baseline.resultTopic())) {
            String ferryInput = stack.topics().invocations();
            // Warm-up: JIT, group joins, first transactions, registry lookups.
            throughput(producer, ferryInput, ferryResults, Math.max(200, n / 4));
            throughput(producer, baseline.inputTopic(), rawResults, Math.max(200, n / 4));
            for (int i = 0; i < repetitions; i++) {
                ferry.add(throughput(producer, ferryInput, ferryResults, n));
                raw.add(throughput(producer, baseline.inputTopic(), rawResults, n));
                log.info("pipeline repetition {}: ferry {} /s, raw {} /s", i + 1, ferry.values().get(i),
                        raw.values().get(i));
            }
        }
        return Outcome.of(name(), "records/s", ferry, raw, true, 0.8, n + " echo invocations per repetition, "
                + WORK_PARTITIONS + " work partitions, " + REPLICAS + " replicas x concurrency " + CONCURRENCY
                + ", baseline: transactional hop + share-group hop");
    }

    /** Records/s from the first send to the last result read. */
    static double throughput(KafkaProducer<String, InvocationRequest> producer, String topic, ResultCounter results,
            int n) throws InterruptedException {
        Set<String> ids = new HashSet<>();
        String key = Invocations.TENANT + "/" + Invocations.FUNCTION; // the gateway's key for keyless requests
        long start = System.nanoTime();
        Future<?> last = null;
        for (int i = 0; i < n; i++) {
            String id = Invocations.newId();
            ids.add(id);
            last = producer.send(new ProducerRecord<>(topic, key, Invocations.request(id)));
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
