package dev.ferry.worker.internal.trigger;

import dev.ferry.core.kafka.Sends;
import dev.ferry.worker.internal.ShareGroupSetup;
import dev.ferry.worker.internal.WorkerResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of a {@code NONE} trigger (docs/design.md section 10): a member of the trigger's share group (KIP-932)
 * in explicit acknowledgement mode, so any number of replicas share even one partition. Each poll's records go
 * through the same {@link Intake} and {@link BatchRunner} as an ordered trigger's; a record is acknowledged (ACCEPT)
 * only once everything its batch writes is acknowledged by Kafka, and RELEASEd for another delivery when a write
 * failed: at least once (DESIGN "Triggers", Guarantees). Before its first member joins, the group's start on each
 * partition is set from the trigger's {@code startingPosition} ({@link TriggerStart}); a partition it has no
 * position on after that (added to a source, a re-created source's) starts at its earliest offset
 * ({@code share.auto.offset.reset=earliest}, as {@link ShareGroupSetup} sets it for worker groups). A source topic
 * that disappears makes the replica FAILING until it is back.
 */
public final class ShareTriggerReplica extends TriggerReplica {

    private static final Logger log = LoggerFactory.getLogger(ShareTriggerReplica.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    /**
     * How often a running replica asks whether its source topics still exist (a share consumer tells nothing when
     * one is deleted): one describe per replica per interval.
     */
    private static final long SOURCES_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(
            OrderedTriggerReplica.METADATA_MAX_AGE_MS);

    /** The replica's own producer while it consumes ({@link #ownProducer}); null: the worker's shared one. */
    private volatile KafkaProducer<byte[], byte[]> producer;

    public ShareTriggerReplica(TriggerReplicaSettings settings, WorkerResources resources, TriggerCounters pool,
            Runnable onStuck) {
        super(settings, resources, pool, onStuck);
    }

    @Override
    protected void consume() {
        requireTopics();
        Intake intake = intake();
        prepareGroup();
        int concurrency = Math.max(1, settings.function().getConcurrency());
        int batchSize = settings.spec().getBatchSize();
        Map<String, Object> props = Map.of(
                ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(10_000, concurrency * batchSize),
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, OrderedTriggerReplica.METADATA_MAX_AGE_MS,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(DEFAULT_MAX_POLL_INTERVAL_MS,
                        settings.settleTimeoutMs()));
        try (KafkaShareConsumer<byte[], byte[]> consumer = resources.clients().shareConsumer(settings.group(),
                "ferry-trigger-" + settings.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer(), props);
                OwnProducer own = new OwnProducer(ownProducer())) {
            producer = own.producer;
            consumer.subscribe(settings.spec().getTopics());
            running();
            long nextCheck = System.nanoTime() + SOURCES_CHECK_NANOS;
            while (!stopping()) {
                if (System.nanoTime() - nextCheck >= 0) {
                    requireSources();
                    nextCheck = System.nanoTime() + SOURCES_CHECK_NANOS;
                }
                if (!mayStartRun()) {
                    // Runs stuck past their timeout hold threads: take no records until they end or the pool
                    // recycles this replica (issue 11).
                    consumer.poll(Duration.ZERO).forEach(r -> consumer.acknowledge(r, AcknowledgeType.RELEASE));
                    sleepBriefly();
                    continue;
                }
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
                if (!polled.isEmpty()) {
                    runPoll(consumer, intake, polled, batchSize);
                }
            }
            consumer.commitSync(Duration.ofSeconds(10));
        }
    }

    /** Runs every record of one poll and acknowledges each; returns when all are acknowledged. */
    private void runPoll(KafkaShareConsumer<byte[], byte[]> consumer, Intake intake,
            ConsumerRecords<byte[], byte[]> polled, int batchSize) {
        LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
        Map<TopicPartition, List<SourceItem>> ready = new LinkedHashMap<>();
        int pending = 0;
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            counters.readDelivery(record);
            Intake.Admission admission = intake.admit(record);
            switch (admission.kind()) {
                case FILTERED -> {
                    counters.filtered(1);
                    consumer.acknowledge(record, AcknowledgeType.ACCEPT);
                }
                case UNDECODABLE -> {
                    pending++;
                    List<ConsumerRecord<byte[], byte[]>> one = List.of(record);
                    write(List.of(admission.failure())).whenComplete((v, error) ->
                            done.add(new Done(one, new BatchOutcome(List.of(), 0, 1), error)));
                }
                case READY -> ready.computeIfAbsent(admission.item().partition(), tp -> new ArrayList<>())
                        .add(admission.item());
            }
        }
        for (List<SourceItem> items : ready.values()) {
            for (int from = 0; from < items.size(); from += batchSize) {
                List<SourceItem> batch = items.subList(from, Math.min(items.size(), from + batchSize));
                List<ConsumerRecord<byte[], byte[]>> sources = batch.stream().map(SourceItem::record).toList();
                if (!mayStartRun()) {
                    sources.forEach(record -> consumer.acknowledge(record, AcknowledgeType.RELEASE));
                    continue;
                }
                pending++;
                runner.run(batch).thenCompose(outcome -> write(outcome.writes()).thenApply(v -> outcome))
                        .whenComplete((outcome, error) -> done.add(new Done(sources, outcome, error)));
            }
        }
        while (pending > 0) {
            Done next = take(done);
            if (next == null) {
                continue;
            }
            pending--;
            AcknowledgeType type = AcknowledgeType.ACCEPT;
            if (next.error() != null) {
                log.error("[{}] could not write the outcome of {} records, releasing them: {}", settings.name(),
                        next.records().size(), next.error().toString());
                type = AcknowledgeType.RELEASE;
            } else {
                ended(next.outcome().answered(), next.outcome().failed());
            }
            for (ConsumerRecord<byte[], byte[]> record : next.records()) {
                consumer.acknowledge(record, type);
            }
            consumer.commitAsync();
        }
    }

    private CompletableFuture<Void> write(List<ProducerRecord<byte[], byte[]>> writes) {
        KafkaProducer<byte[], byte[]> own = producer;
        if (own == null) {
            return CompletableFuture.allOf(writes.stream().map(resources::send).toArray(CompletableFuture[]::new));
        }
        return CompletableFuture.allOf(writes.stream().map(write -> Sends.send(own, write))
                .toArray(CompletableFuture[]::new));
    }

    /**
     * A producer of the replica's own when its destination names a codec other than the worker's shared producer's
     * ({@link DestinationCodec}): the user's choice of codec for their topic wins, and the broker does not
     * recompress the outputs. Null (the shared producer) otherwise, or when the operator's pass-through sets
     * {@code compression.type} for every client.
     */
    private KafkaProducer<byte[], byte[]> ownProducer() {
        String shared = resources.config().topics().userCompressionType();
        if (resources.config().kafkaClientProperties().containsKey(ProducerConfig.COMPRESSION_TYPE_CONFIG)
                || codec().codec().equals(shared)) {
            return null;
        }
        Map<String, Object> overrides = new HashMap<>(codec().producerSettings());
        overrides.put(ProducerConfig.LINGER_MS_CONFIG, resources.config().worker().resultLingerMs());
        return resources.clients().userTopicProducer("ferry-trigger-" + settings.name() + "-producer",
                new ByteArraySerializer(), new ByteArraySerializer(), overrides);
    }

    /** Closes the replica's own producer, if it has one, when a consume() ends. */
    private record OwnProducer(KafkaProducer<byte[], byte[]> producer) implements AutoCloseable {
        @Override
        public void close() {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    /** The group's start per startingPosition, read-committed, and a lock that outlasts an attempt. */
    private void prepareGroup() {
        ShareGroupSetup.prepare(resources, settings.group(), settings.function());
        TriggerStart.ensure(resources.admin(), settings.group(), true, settings.spec());
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Done take(LinkedBlockingQueue<Done> done) {
        try {
            return done.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private record Done(List<ConsumerRecord<byte[], byte[]>> records, BatchOutcome outcome, Throwable error) {
    }

}
