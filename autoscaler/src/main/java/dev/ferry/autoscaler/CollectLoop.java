package dev.ferry.autoscaler;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.TriggerSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's first loop: every {@code pollMs} a {@link LagCollector} reads the lag of every function's
 * worker pool and every trigger's pool, and a {@link LagSample} per pool goes to {@code ferry.lag}, keyed by the
 * pool ({@link PoolRef#key()}: {@code tenant/function}, or {@code tenant/trigger:name} for a trigger's pool, whose
 * sample has {@code trigger} set). One thread; a failed poll is logged and the next one tries again. Quiet pools
 * (zero replicas, nothing to do) are read less often ({@link LagCollector#collect()}); {@link #wake} reads a pool
 * at once when work reaches it (issue 16).
 */
final class CollectLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CollectLoop.class);

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> counter;
    private final LagCollector collector;
    private final KafkaProducer<String, byte[]> producer;
    private final Supplier<? extends Collection<FunctionSpec>> functions;
    private final Supplier<? extends Collection<TriggerSpec>> triggers;
    private final Serializer<LagSample> serializer;
    private final String topic;
    private final long pollMs;
    private static final Duration WAKE_RETRY = Duration.ofMillis(50);
    private static final Duration WAKE_RETRY_FOR = Duration.ofSeconds(10);

    private final Set<PoolRef> woken = ConcurrentHashMap.newKeySet();
    /** Woken pools not read yet, and since when: only the collector's thread uses it. */
    private final Map<PoolRef, Instant> wokenSince = new HashMap<>();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.factory("ferry-autoscaler-collector"));

    CollectLoop(KafkaClients clients, TopicCatalog topics, Supplier<? extends Collection<FunctionSpec>> functions,
            Supplier<? extends Collection<TriggerSpec>> triggers, KafkaProducer<String, byte[]> producer,
            Serializer<LagSample> serializer, long pollMs, long quietCheckMs, Clock clock) {
        this.admin = clients.admin("ferry-autoscaler-lag");
        // read_committed and no group (KafkaClients' defaults): it counts the records behind each position.
        this.counter = clients.consumer(null, "ferry-autoscaler-lag-counter", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        this.collector = new LagCollector(admin, counter, topics, functions, triggers, clock,
                LagCollector.COUNT_BUDGET, Duration.ofMillis(quietCheckMs));
        this.producer = producer;
        this.functions = functions;
        this.triggers = triggers;
        this.serializer = serializer;
        this.topic = topics.lag();
        this.pollMs = pollMs;
    }

    /** Pools whose size in force is above zero are never taken for quiet (see {@link LagCollector#collect()}). */
    CollectLoop sizedAboveZero(Predicate<PoolRef> sized) {
        collector.sizedAboveZero(sized);
        return this;
    }

    CollectLoop start() {
        scheduler.scheduleWithFixedDelay(this::collectOnce, 0, pollMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Reads {@code pools} now, on the collector's thread but ahead of its next poll (issue 16, part 2: a pool at zero
     * replicas was given work). Wakes that arrive while one such reading waits to run join it.
     */
    void wake(Collection<PoolRef> pools) {
        woken.addAll(pools);
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::collectWoken);
            } catch (RejectedExecutionException e) {
                wakeQueued.set(false); // closing
            }
        }
    }

    private void collectWoken() {
        wakeQueued.set(false);
        Set<PoolRef> pools = new HashSet<>();
        for (PoolRef pool : Set.copyOf(woken)) {
            woken.remove(pool);
            pools.add(pool);
        }
        if (pools.isEmpty()) {
            return;
        }
        Set<PoolRef> unread = new HashSet<>(pools);
        try {
            List<LagSample> samples = collector.collect(pools);
            // A pool at zero whose reading shows no work has not got it yet: commitTransaction() returns once the
            // coordinator has logged the commit, and the markers that make the work readable (read_committed) reach
            // the work topic's leader a moment later. Read it again shortly rather than drop the wakeup.
            samples.stream().filter(sample -> sample.getTotalLag() > 0 || sample.getReplicas() > 0)
                    .forEach(sample -> unread.remove(PoolRef.of(sample)));
            publish(samples);
        } catch (RuntimeException e) {
            log.warn("Reading the woken pools {} failed: {}", pools, e.toString());
        }
        retryLater(pools, unread);
    }

    /**
     * A wakeup can come before its work is readable (the transaction's markers are written after the commit
     * returns), before this process's directory has the deploy it follows (another process wrote both a moment
     * apart), or while its topic's offsets cannot be read: such pools are read again shortly (50 ms, then doubling up to a
     * second), for up to 10 s.
     */
    private void retryLater(Set<PoolRef> pools, Set<PoolRef> unread) {
        Instant now = Instant.now();
        pools.stream().filter(p -> !unread.contains(p)).forEach(wokenSince::remove);
        Set<PoolRef> again = new HashSet<>();
        for (PoolRef pool : unread) {
            Instant since = wokenSince.computeIfAbsent(pool, p -> now);
            if (now.isBefore(since.plus(WAKE_RETRY_FOR))) {
                again.add(pool);
            } else {
                wokenSince.remove(pool);
                log.debug("[pool={}] woken but not readable for {} s; the regular collection reads it", pool.key(),
                        WAKE_RETRY_FOR.toSeconds());
            }
        }
        if (!again.isEmpty()) {
            // 50 ms at first, then about half the time waited so far (doubling), at most a second apart.
            long waited = again.stream().mapToLong(p -> Duration.between(wokenSince.get(p), now).toMillis())
                    .min().orElse(0);
            long delay = Math.min(1_000, Math.max(WAKE_RETRY.toMillis(), waited / 2));
            try {
                scheduler.schedule(() -> wake(again), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void collectOnce() {
        try {
            publish(collector.collect());
        } catch (RuntimeException e) {
            log.warn("Lag collection failed, trying again next poll: {}", e.toString());
        }
    }

    /**
     * Publishes the samples of pools that still exist: a reading can take seconds on a loaded cluster, and a sample
     * of a pool removed meanwhile, published after its tombstone on {@code ferry.scaling}, would bring it back into
     * every {@link ScalingView} for good.
     */
    private void publish(List<LagSample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        Set<String> functionKeys = new HashSet<>();
        functions.get().forEach(spec -> functionKeys.add(spec.getTenant() + "/" + spec.getName()));
        Set<String> triggerKeys = new HashSet<>();
        triggers.get().stream().filter(TriggerSpec::getEnabled)
                .forEach(t -> triggerKeys.add(PoolRef.of(TriggerSpecs.ref(t)).key()));
        for (LagSample sample : samples) {
            String key = PoolRef.of(sample).key();
            if (!(sample.getTrigger() == null ? functionKeys : triggerKeys).contains(key)) {
                continue;
            }
            producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, sample)));
        }
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        counter.close();
        admin.close();
    }
}
