package dev.ferry.worker.internal.trigger;

import dev.ferry.core.triggers.SourceDecoder;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.worker.internal.WorkerResources;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of a {@code PARTITION} or {@code KEY} trigger (docs/design.md section 10): a member of the trigger's
 * consumer group on its source topics, with a transactional producer. Records go through {@link Intake}, wait in
 * {@link Lanes} (one lane per partition, or per partition and key), run through the {@link BatchRunner}, and their
 * writes wait in each partition's {@link PartitionLedger} until every earlier record of the partition is finished;
 * every {@code trigger.commit.interval.ms} the finished prefixes and the offsets after them commit in one
 * transaction ({@link TransactionWriter}). So an output is on the destination exactly once, in source order per
 * partition (per key), across crashes (DESIGN "Triggers", Guarantees).
 *
 * <p>On revocation the replica drops the partition's records that have not started, waits for its running batches,
 * and commits before handing it over; a lost partition is dropped without a commit. A partition without a committed
 * offset starts at the trigger's {@code startingPosition}.
 */
public final class OrderedTriggerReplica extends TriggerReplica {

    private static final Logger log = LoggerFactory.getLogger(OrderedTriggerReplica.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    private static final long SETTLE_WAIT_MS = 20;

    private final boolean byKey;
    private final long commitIntervalNanos;
    private final int maxOpen;
    /** How often the lag is read: once per status report, which is all that reads it. */
    private final long lagEveryNanos;
    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private Lanes lanes;
    private Intake intake;
    private KafkaConsumer<byte[], byte[]> consumer;
    private TransactionWriter writer;
    /** Whether flow control paused fetching: kept here so the loop never asks the consumer. */
    private boolean fetchPaused;

    public OrderedTriggerReplica(TriggerReplicaSettings settings, WorkerResources resources, TriggerCounters pool,
            Runnable onStuck) {
        super(settings, resources, pool, onStuck);
        this.byKey = settings.spec().getOrdering() == TriggerOrdering.KEY;
        this.commitIntervalNanos = resources.config().triggers().commitIntervalMs() * 1_000_000L;
        this.maxOpen = Math.max(2_000, 4 * settings.spec().getBatchSize());
        this.lagEveryNanos = TimeUnit.MILLISECONDS.toNanos(resources.config().triggers().statusIntervalMs());
    }

    @Override
    protected void consume() {
        requireTopics();
        intake = intake();
        lanes = new Lanes(settings.spec().getBatchSize(), settings.spec().getBatchWindowMs(),
                settings.function().getConcurrency());
        Map<String, Object> props = Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                settings.spec().getStartingPosition() == StartingPosition.EARLIEST ? "earliest" : "latest",
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(DEFAULT_MAX_POLL_INTERVAL_MS, 2 * settings.settleTimeoutMs()));
        try (TransactionWriter transactions = new TransactionWriter(resources.clients(), settings.transactionalId(),
                "ferry-trigger-" + settings.name() + "-producer");
                KafkaConsumer<byte[], byte[]> kafka = resources.clients().consumer(settings.group(),
                        "ferry-trigger-" + settings.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                        props)) {
            writer = transactions;
            consumer = kafka;
            consumer.subscribe(settings.spec().getTopics(), new Rebalance());
            running();
            long nextCommit = System.nanoTime() + commitIntervalNanos;
            long nextLag = System.nanoTime();
            fetchPaused = false;
            while (!stopping()) {
                // While batches run, poll without waiting and wait for their ends instead: a 20 ms poll per batch
                // would cap a partition at 50 batches a second.
                boolean busy = lanes.running() > 0;
                consumer.poll(busy ? Duration.ZERO : POLL).forEach(this::receive);
                settle(busy ? SETTLE_WAIT_MS : 0);
                startBatches(nextCommit);
                if (System.nanoTime() - nextCommit >= 0) {
                    commit();
                    nextCommit = System.nanoTime() + commitIntervalNanos;
                }
                flowControl();
                if (System.nanoTime() - nextLag >= 0) {
                    lag(lag());
                    nextLag = System.nanoTime() + lagEveryNanos;
                }
            }
            handOver(Set.copyOf(ledgers.keySet()));
            commit();
        } finally {
            ledgers.clear();
            committed.clear();
            finished.clear();
            consumer = null;
            writer = null;
        }
    }

    private void receive(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionLedger ledger = ledgers.computeIfAbsent(tp, p -> new PartitionLedger());
        ledger.received(record.offset());
        counters.read(1);
        Intake.Admission admission = intake.admit(record);
        switch (admission.kind()) {
            case FILTERED -> ledger.finished(record.offset(), List.of(), new PartitionLedger.Tally(1, 0, 0));
            case UNDECODABLE -> ledger.finished(record.offset(), List.of(admission.failure()),
                    new PartitionLedger.Tally(0, 0, 1));
            case READY -> lanes.add(new Lanes.LaneId(tp, byKey ? SourceDecoder.keyText(record.key()) : null),
                    admission.item(), System.nanoTime());
        }
    }

    /**
     * Starts what may start, each batch only while the invoker admits another run (stuck runs are bounded). A batch
     * that is over when it returns (a bounded built-in runs on this thread, {@link BatchRunner}) is applied at once
     * and its lane's next batch started, until nothing ends at once or {@code commitDue} (a {@link System#nanoTime})
     * passes: a copy through {@code echo} then costs no thread hand-off per record (issue 16).
     */
    private void startBatches(long commitDue) {
        do {
            lanes.start(System.nanoTime(), this::mayStartRun, batch -> {
                PartitionLedger ledger = ledgers.get(batch.lane().partition());
                runner.run(batch.items()).whenComplete((outcome, error) ->
                        finished.add(new Finished(batch, ledger, outcome, error)));
            });
        } while (settle(0) > 0 && System.nanoTime() - commitDue < 0);
    }

    /** Applies finished batches, waiting up to {@code waitMs} for the first; returns how many it applied. */
    private int settle(long waitMs) {
        int applied = 0;
        Finished next = waitMs > 0 ? take(waitMs) : finished.poll();
        while (next != null) {
            applied++;
            lanes.finished(next.batch());
            if (next.error() != null) {
                throw new IllegalStateException("A batch of " + settings.name() + " ended in error: " + next.error(),
                        next.error());
            }
            if (ledgers.get(next.batch().lane().partition()) == next.ledger()) {
                List<SourceItem> items = next.batch().items();
                for (int i = 0; i < items.size() - 1; i++) {
                    next.ledger().finished(items.get(i).offset(), List.of());
                }
                next.ledger().finished(items.get(items.size() - 1).offset(), next.outcome().writes(),
                        new PartitionLedger.Tally(0, next.outcome().answered(), next.outcome().failed()));
            }
            next = finished.poll();
        }
        return applied;
    }

    private Finished take(long waitMs) {
        try {
            return finished.poll(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * One transaction: every partition's finished prefix and the offsets after it. Its records are counted once it
     * commits (a failed commit re-runs them, so they count then).
     */
    private void commit() {
        // Positions are read here, not after every poll: under the consumer group protocol (KIP-848) each
        // position(), currentLag() or pause() call is a round trip to the consumer's background thread, and doing
        // them once per loop cost more than the transactions did (bench trigger-throughput, JFR: 5.8 currentLag
        // calls per record).
        followPositions();
        List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> writes = new java.util.ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        PartitionLedger.Tally tally = PartitionLedger.Tally.NONE;
        for (Map.Entry<TopicPartition, PartitionLedger> entry : ledgers.entrySet()) {
            writes.addAll(entry.getValue().takePrefix());
            tally = tally.plus(entry.getValue().taken());
            OptionalLong committable = entry.getValue().committable();
            if (committable.isPresent() && committable.getAsLong() > committed.getOrDefault(entry.getKey(), -1L)) {
                offsets.put(entry.getKey(), new OffsetAndMetadata(committable.getAsLong()));
            }
        }
        writer.commit(writes, offsets, consumer.groupMetadata());
        offsets.forEach((tp, offset) -> committed.put(tp, offset.offset()));
        counters.filtered(tally.filtered());
        ended(tally.answered(), tally.failed());
    }

    /** Drops what has not started in {@code leaving}, and waits for what runs there. */
    private void handOver(Set<TopicPartition> leaving) {
        for (TopicPartition tp : leaving) {
            PartitionLedger ledger = ledgers.get(tp);
            OptionalLong dropped = lanes.dropWaiting(tp);
            if (ledger != null && dropped.isPresent()) {
                ledger.truncateFrom(dropped.getAsLong());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.settleTimeoutMs());
        while (leaving.stream().anyMatch(lanes::running) && System.nanoTime() - deadline < 0) {
            settle(50);
        }
    }

    /** Moves each partition's position past transaction markers once its records are emitted. */
    private void followPositions() {
        Set<TopicPartition> assigned = consumer.assignment();
        for (Map.Entry<TopicPartition, PartitionLedger> entry : ledgers.entrySet()) {
            if (assigned.contains(entry.getKey())) {
                try {
                    entry.getValue().fetchedTo(consumer.position(entry.getKey(), Duration.ZERO));
                } catch (TimeoutException e) {
                    // No position yet: next poll.
                }
            }
        }
    }

    /** Stops fetching while many records are held (waiting, running, or finished above an unfinished one). */
    private void flowControl() {
        int open = ledgers.values().stream().mapToInt(PartitionLedger::size).sum();
        if (open >= maxOpen && !fetchPaused) {
            consumer.pause(consumer.assignment());
            fetchPaused = true;
        } else if (open < maxOpen / 2 && fetchPaused) {
            consumer.resume(consumer.paused());
            fetchPaused = false;
        }
    }

    private long lag() {
        long sum = 0;
        boolean known = false;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                sum += lag.getAsLong();
                known = true;
            }
        }
        return known ? sum : -1;
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            log.info("[{}] assigned {}", settings.name(), assigned);
            if (settings.spec().getStartingPosition() == StartingPosition.TIMESTAMP) {
                startAtTimestamp(assigned);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            handOver(new HashSet<>(revoked));
            commit();
            revoked.forEach(tp -> {
                ledgers.remove(tp);
                committed.remove(tp);
            });
            log.info("[{}] revoked {}", settings.name(), revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // Another member may own them already: their unwritten work is simply dropped and runs there.
            lost.forEach(tp -> {
                lanes.forget(tp);
                ledgers.remove(tp);
                committed.remove(tp);
            });
            log.warn("[{}] lost {}", settings.name(), lost);
        }

        /** Partitions without a committed offset start at the first record at or after startingTimestamp. */
        private void startAtTimestamp(Collection<TopicPartition> assigned) {
            Map<TopicPartition, OffsetAndMetadata> offsets = consumer.committed(new HashSet<>(assigned));
            Map<TopicPartition, Long> fresh = new HashMap<>();
            for (TopicPartition tp : assigned) {
                if (offsets.get(tp) == null) {
                    fresh.put(tp, settings.spec().getStartingTimestamp().toEpochMilli());
                }
            }
            if (fresh.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(fresh);
            for (TopicPartition tp : fresh.keySet()) {
                OffsetAndTimestamp at = found.get(tp);
                if (at != null) {
                    consumer.seek(tp, at.offset());
                } else {
                    consumer.seekToEnd(List.of(tp));
                }
            }
        }
    }

    private record Finished(Lanes.Batch batch, PartitionLedger ledger, BatchOutcome outcome, Throwable error) {
    }
}
