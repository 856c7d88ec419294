package dev.ferry.dispatcher.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.LagSample;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link LagSample} of every function's worker pool, read from {@code ferry.lag} by a background
 * thread, as the {@link FunctionLoad} the lag-aware strategies consult (trigger pools' samples are skipped).
 *
 * <p>Its {@link TopicTail} starts a minute back in time: older samples describe a backlog long gone, and reading the
 * whole topic would delay nothing but startup. A sample that cannot be decoded is skipped (and counted by the
 * tail); routing without it only loses balance, not data.
 */
public final class LagView implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LagView.class);
    private static final Duration LOOK_BACK = Duration.ofMinutes(1);

    private final KafkaClients clients;
    private final String topic;
    private final Deserializer<LagSample> deserializer;
    private final Clock clock;
    private final ConcurrentMap<FunctionRef, FunctionLoad> loads = new ConcurrentHashMap<>();
    private final ConcurrentMap<FunctionRef, Integer> replicas = new ConcurrentHashMap<>();
    private TopicTail tail;

    public LagView(KafkaClients clients, TopicCatalog topics, Deserializer<LagSample> deserializer, Clock clock) {
        this.clients = clients;
        this.topic = topics.lag();
        this.deserializer = deserializer;
        this.clock = clock;
    }

    /**
     * Reads the recent samples (for up to {@code catchUp}, so routing starts balanced), then follows the topic on
     * a thread of its own. {@code ferry.lag} must exist.
     */
    public synchronized LagView start(String clientId, Duration catchUp) {
        tail = TopicTail.builder(clients, topic, this::read).name(clientId)
                .from(TopicTail.Start.at(clock.instant().minus(LOOK_BACK))).build().start();
        if (!tail.awaitReadToEnd(catchUp)) {
            log.info("Lag view has not read the recent samples within {} ms; routing starts without some",
                    catchUp.toMillis());
        }
        return this;
    }

    /** Ready while its tail follows {@code ferry.lag}. */
    public ReadinessCheck readiness() {
        TopicTail current = tail;
        return current == null ? () -> Optional.of("lag view not started") : current.readiness();
    }

    /** The load of {@code ref}'s partitions; the same object until the next sample of that function arrives. */
    public FunctionLoad load(FunctionRef ref) {
        return loads.computeIfAbsent(ref, r -> FunctionLoad.unknown());
    }

    /**
     * The members of the function's pool in its latest sample; -1 when no sample has been seen (a function deployed a
     * moment ago, or quiet for longer than the view looks back: either way probably at zero).
     */
    public int replicas(FunctionRef ref) {
        return replicas.getOrDefault(ref, -1);
    }

    /**
     * Takes a sample as if read from the topic; the reader thread's path, open for tests. A trigger pool's sample
     * ({@code trigger} set, issue 14) is skipped: its lag is on the trigger's source topics, not on the function's
     * work topic that the dispatcher routes to.
     */
    public void accept(LagSample sample) {
        if (sample.getTrigger() != null) {
            return;
        }
        FunctionRef ref;
        try {
            ref = new FunctionRef(sample.getTenant(), sample.getFunction());
        } catch (IllegalArgumentException e) {
            log.debug("Ignoring a lag sample of an invalid function name: {}", e.getMessage());
            return;
        }
        long[] lag = sample.getPartitionLag().stream().mapToLong(Long::longValue).toArray();
        loads.put(ref, new FunctionLoad(lag));
        replicas.put(ref, sample.getReplicas());
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        accept(deserializer.deserialize(record.topic(), record.headers(), record.value()));
    }

    @Override
    public synchronized void close() {
        if (tail != null) {
            tail.close();
        }
    }
}
