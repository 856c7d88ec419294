package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.kafka.GroupPolls;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.Partitions;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import dev.ferry.schemas.TriggerSpec;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's second loop: reads {@code ferry.lag} in the consumer group {@code ferry-autoscaler}, runs each
 * fresh sample through the {@link ScalingController} and publishes every change of size to the compacted
 * {@code ferry.scaling}; a removed function gets a decision to zero and then a tombstone. Before its first sample
 * it seeds the controller with the latest decision of every function in {@code ferry.scaling}, so a restarted
 * autoscaler continues from the sizes in force rather than from member counts (issue 11). One thread.
 *
 * <p>Trigger pools (issue 14) the same way: a sample whose {@code trigger} is set is decided with
 * {@link TriggerPools#poolSpec} of the trigger, while the trigger is enabled and its function deployed (else it is
 * ignored); its decisions go to {@code ferry.scaling} under the trigger pool's key ({@link PoolRef#key()},
 * {@code tenant/trigger:name}). A trigger removed, disabled or left without its function gets a decision to zero
 * and a tombstone, as a removed function does, when the controller knew its pool.
 */
final class DecideLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecideLoop.class);

    private final KafkaClients clients;
    private final TopicCatalog topics;
    private final FunctionDirectory directory;
    private final TriggerDirectory triggers;
    private final ScalingController controller;
    private final ScalingView view;
    private final KafkaProducer<String, byte[]> producer;
    private final Deserializer<LagSample> samples;
    private final Serializer<ScalingDecision> decisions;
    private final Deserializer<ScalingDecision> decisionReader;
    private final Duration stale;
    private final Clock clock;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private volatile boolean running;

    DecideLoop(KafkaClients clients, TopicCatalog topics, FunctionDirectory directory, TriggerDirectory triggers,
            ScalingController controller,
            ScalingView view, KafkaProducer<String, byte[]> producer, Deserializer<LagSample> samples,
            Serializer<ScalingDecision> decisions, Deserializer<ScalingDecision> decisionReader, long pollMs,
            Clock clock) {
        this.clients = clients;
        this.topics = topics;
        this.directory = directory;
        this.triggers = triggers;
        this.controller = controller;
        this.view = view;
        this.producer = producer;
        this.samples = samples;
        this.decisions = decisions;
        this.decisionReader = decisionReader;
        this.stale = Duration.ofMillis(Math.max(10_000, 10 * pollMs));
        this.clock = clock;
    }

    DecideLoop start() {
        seedFromDecisions();
        // Old samples say nothing about now: a partition the group never committed starts at its samples of the last
        // stale period (StartAtRecentSamples), and at its end when it has none; "latest" is what is left when that
        // look-up fails.
        consumer = clients.consumer(topics.autoscalerGroup(), "ferry-autoscaler-policy", new StringDeserializer(),
                new ByteArrayDeserializer(), GroupPolls.idleMember(clients,
                        Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")));
        consumer.subscribe(List.of(topics.lag()), new StartAtRecentSamples());
        running = true;
        thread = new Thread(this::run, "ferry-autoscaler-policy");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * Places each partition this group gets and never committed at its first sample of the last {@link #stale}
     * period, or at its end when it has none. Starting at the end (the group's {@code auto.offset.reset}) lost the
     * samples written between the autoscaler's start and the group's join, and a pool whose sample does not change
     * gets no other: a function deployed with {@code minReplicas} 2 stayed at zero replicas until its lag moved
     * (AutoscalerServiceIT, under load; {@code DecideLoopIT} shows it alone). Samples older than that say nothing about
     * now and are skipped anyway ({@link #decide}). Runs on the policy thread, inside its poll; a look-up that fails
     * is logged and leaves the partition to {@code auto.offset.reset}, and a wakeup (a stop) is handed on to the poll.
     */
    private final class StartAtRecentSamples implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            try {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(10));
                Map<TopicPartition, Long> since = new HashMap<>();
                long from = clock.instant().minus(stale).toEpochMilli();
                for (TopicPartition partition : partitions) {
                    if (committed.get(partition) == null) {
                        since.put(partition, from);
                    }
                }
                if (since.isEmpty()) {
                    return;
                }
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(since, Duration.ofSeconds(10));
                for (TopicPartition partition : since.keySet()) {
                    OffsetAndTimestamp first = found.get(partition);
                    if (first != null) {
                        consumer.seek(partition, first.offset());
                    } else {
                        consumer.seekToEnd(List.of(partition));
                    }
                }
            } catch (WakeupException e) {
                // close() woke the consumer while the group joined. Thrown from here, Kafka logs a failed
                // reconciliation and leaves the partitions unfetchable (a WARN and an ERROR at every such stop, CI);
                // woken again instead, the poll this runs in throws it, and the loop ends as on any stop.
                consumer.wakeup();
            } catch (RuntimeException e) {
                log.warn("Could not place the autoscaler's new partitions of {} at their recent samples; they start "
                        + "at their end: {}", topics.lag(), e.toString());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // What was read is committed by the loop; nothing to do here.
        }
    }

    /** The function was removed: its pool goes to zero, then its key in ferry.scaling is deleted. */
    void removed(FunctionRef ref) {
        controller.onRemoved(ref).forEach(this::publish);
        producer.send(new ProducerRecord<>(topics.scaling(), ref.key(), null));
        view.onRemoved(PoolRef.of(ref));
    }

    /**
     * A trigger's pool is gone ({@code why}: the trigger removed or disabled, or its function removed): to zero,
     * then its key in ferry.scaling is deleted; nothing is published for a pool the controller never knew.
     */
    synchronized void removed(TriggerRef ref, String why) {
        PoolRef pool = PoolRef.of(ref);
        if (!controller.knows(pool)) {
            return;
        }
        controller.onRemoved(pool, why).forEach(this::publish);
        producer.send(new ProducerRecord<>(topics.scaling(), pool.key(), null));
        view.onRemoved(pool);
    }

    /** Reads ferry.scaling to its end once: the latest decision per function is the size in force. */
    private void seedFromDecisions() {
        Map<PoolRef, Integer> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> reader = clients.consumer(null, "ferry-autoscaler-seed",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            List<TopicPartition> partitions = Partitions.await(reader, topics.scaling(), Duration.ofSeconds(30));
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> reader.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    log.warn("ferry.scaling not read to its end in 30 s; seeding from what was read");
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    PoolRef ref;
                    try {
                        ref = PoolRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        log.warn("Skipping a ferry.scaling record with a key of no pool: {}", e.getMessage());
                        continue;
                    }
                    if (record.value() == null) {
                        latest.remove(ref);
                    } else {
                        latest.put(ref, decisionReader.deserialize(record.topic(), record.headers(), record.value())
                                .getTo());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("Cannot read ferry.scaling to seed the controller; starting from member counts: {}",
                    e.toString());
        }
        latest.forEach((pool, size) -> controller.seed(pool, size));
        if (!latest.isEmpty()) {
            log.info("Seeded the controller with the last decisions of {} pools", latest.size());
        }
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(GroupPolls.IDLE);
                for (ConsumerRecord<String, byte[]> record : records) {
                    try {
                        decide(samples.deserialize(record.topic(), record.headers(), record.value()));
                    } catch (RuntimeException e) {
                        log.warn("Skipping lag sample {}-{}@{}: {}", record.topic(), record.partition(),
                                record.offset(), e.toString());
                    }
                }
                // Only when something was read (issue 16): an idle policy loop sent an OffsetCommit every poll,
                // five a second, to commit the offsets it had already committed.
                if (!records.isEmpty()) {
                    consumer.commitAsync();
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException | Error e) { // an Error too: never a loop that ends without a line in the log
            log.error("Autoscaler policy loop stopped", e);
        } finally {
            // What was read was decided on: committed as the loop's last commitAsync would have been, then the
            // member leaves and closes without waiting out a fetch the broker holds (up to 5 s).
            try {
                consumer.commitSync(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("Autoscaler policy loop could not commit on stop: {}", e.toString());
            }
            GroupPolls.leaveAndClose(consumer, "ferry-autoscaler-policy");
        }
    }

    private void decide(LagSample sample) {
        boolean fresh = !sample.getAt().isBefore(clock.instant().minus(stale));
        if (sample.getTrigger() != null) {
            decideTrigger(sample, fresh);
            return;
        }
        view.onSample(sample);
        if (!fresh) {
            return;
        }
        FunctionRef ref = new FunctionRef(sample.getTenant(), sample.getFunction());
        directory.get(ref).ifPresent(spec -> controller.onSample(spec, sample).forEach(this::publish));
    }

    /**
     * A trigger pool's sample counts only while the trigger is enabled, still runs that function, and the function
     * is deployed. Synchronized with {@link #removed(TriggerRef, String)}: a sample taken before the trigger went
     * and read after it must not bring its pool back into the view or the controller.
     */
    private synchronized void decideTrigger(LagSample sample, boolean fresh) {
        TriggerRef ref = new TriggerRef(sample.getTenant(), sample.getTrigger());
        Optional<TriggerSpec> trigger = triggers.get(ref)
                .filter(t -> t.getEnabled() && t.getFunction().equals(sample.getFunction()));
        Optional<FunctionSpec> function = trigger
                .flatMap(t -> directory.get(new FunctionRef(sample.getTenant(), t.getFunction())));
        if (function.isEmpty()) {
            return;
        }
        view.onSample(sample);
        if (fresh) {
            FunctionSpec poolSpec = TriggerPools.poolSpec(function.get(), trigger.get(),
                    sample.getPartitionLag().size());
            controller.onSample(poolSpec, sample).forEach(this::publish);
        }
    }

    private void publish(ScalingDecision decision) {
        String key = PoolRef.of(decision).key();
        // First, so a decision that cannot be written (its schema not had from the registry) is not counted as
        // published nor shown as the size in force (a tester, session 13).
        byte[] value = decisions.serialize(topics.scaling(), decision);
        log.info("[pool={}] scale {} -> {}: {}", key, decision.getFrom(), decision.getTo(), decision.getReason());
        view.onDecision(decision);
        // One tag set for every pool (Prometheus wants it): trigger is empty for a function's own pool.
        Counter.builder("ferry.autoscaler.decisions").description("Scaling decisions published, by direction")
                .tags("tenant", decision.getTenant(), "function", decision.getFunction(),
                        "trigger", decision.getTrigger() == null ? "" : decision.getTrigger(),
                        "direction", decision.getTo() > decision.getFrom() ? "up" : "down")
                .register(FerryMetrics.registry()).increment();
        producer.send(new ProducerRecord<>(topics.scaling(), key, value),
                (metadata, error) -> {
                    if (error != null) {
                        log.error("[pool={}] cannot publish scaling decision: {}", key, error.toString());
                    }
                });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
