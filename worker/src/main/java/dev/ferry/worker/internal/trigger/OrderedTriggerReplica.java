package dev.ferry.worker.internal.trigger;

import dev.ferry.core.FerryException;
import dev.ferry.core.triggers.SourceDecoder;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.worker.internal.WorkerResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of a {@code PARTITION} or {@code KEY} trigger (docs/design.md section 10): a member of the trigger's
 * consumer group on its source topics, with a transactional producer. Records go through {@link Intake}, wait in
 * {@link Lanes} (one lane per partition, or per partition and key), run a lane's turn at a time ({@link Turns})
 * through the {@link BatchRunner}, and their writes wait in each partition's {@link PartitionLedger} until every
 * earlier record of the partition is finished; each finished prefix is sent into the open transaction at once, and
 * every {@code trigger.commit.interval.ms} the offsets after the prefixes commit with them in that transaction
 * ({@link TransactionWriter}). So an output is on the destination exactly once, in source order per partition (per
 * key), across crashes (DESIGN "Triggers", Guarantees).
 *
 * <p>On revocation the replica cuts the partition's running turns after their current batch, waits for them, drops
 * the records that have not started, and commits before handing it over. A lost partition is dropped without a
 * commit; if its writes were already sent, the open transaction is aborted and the replica starts over from the
 * committed offsets. The trigger's {@code startingPosition} is set once, before its group's first member joins
 * ({@link TriggerStart}); a partition without a committed offset after that (added to a topic, a re-created topic's)
 * starts at its earliest offset, and a committed offset that retention overtook resumes at the earliest record still
 * there, with a warning naming the partition and how many offsets were lost ({@link OffsetReset}). A source topic
 * that disappears makes the replica FAILING until it is back.
 */
public final class OrderedTriggerReplica extends TriggerReplica {

    private static final Logger log = LoggerFactory.getLogger(OrderedTriggerReplica.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    private static final long SETTLE_WAIT_MS = 20;
    /**
     * How old the consumer's metadata may grow (Kafka's default is 5 minutes): a partition added to a source is
     * assigned and read within this. One metadata request per replica per interval, idle or not.
     */
    static final int METADATA_MAX_AGE_MS = 15_000;
    /** Records a lane's turn may take at most (in whole batches, at least one): see {@link Lanes}. */
    static final int TURN_RECORDS = 1_000;

    private final boolean byKey;
    private final long commitIntervalNanos;
    private final int maxOpen;
    /** How often the lag is read: once per status report, which is all that reads it. */
    private final long lagEveryNanos;
    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Turns turns;
    private final int batchSize;
    /** Partitions whose writes are in the open transaction (polling thread only). */
    private final Set<TopicPartition> sentOpen = new HashSet<>();
    /** Counts of one consume(), logged when it ends (polling thread only): polls, records, turns, commits. */
    private long polls;
    private long polledRecords;
    private long commits;
    private long commitNanos;
    /** A lost partition had writes in the open transaction: abort it and start over, never commit it. */
    private boolean lostSent;
    /**
     * The open work was given up ({@link #abandon}): the transaction is aborted and what the ledgers hold must not
     * be committed, so the revocation of the consumer's close commits nothing.
     */
    private boolean abandoned;
    private Lanes lanes;
    private Intake intake;
    private KafkaConsumer<byte[], byte[]> consumer;
    private TransactionWriter writer;
    /** The partition of the last record received, its ledger and its partition lane (polling thread only). */
    private TopicPartition lastPartition;
    private PartitionLedger lastLedger;
    private Lanes.LaneId lastLane;
    /** Whether flow control paused fetching: kept here so the loop never asks the consumer. */
    private boolean fetchPaused;
    /** Partitions were revoked or lost: whether a source topic is gone is asked once the poll returns. */
    private boolean checkSources;
    /**
     * When the poll whose records {@link #receive} takes returned ({@link System#nanoTime}): they all arrived then,
     * so a lane's wait for {@code batchWindowMs} starts there; read once per poll, not per record (issue 16).
     */
    private long polledAt;

    public OrderedTriggerReplica(TriggerReplicaSettings settings, WorkerResources resources, TriggerCounters pool,
            Runnable onStuck) {
        super(settings, resources, pool, onStuck);
        this.byKey = settings.spec().getOrdering() == TriggerOrdering.KEY;
        this.commitIntervalNanos = resources.config().triggers().commitIntervalMs() * 1_000_000L;
        this.maxOpen = Math.max(2_000, 4 * settings.spec().getBatchSize());
        this.batchSize = Math.max(1, settings.spec().getBatchSize());
        // A turn starts no batch after a commit interval, so a slow function's lanes still take turns often.
        this.turns = new Turns(runner, this::mayStartRun, batchSize, commitIntervalNanos);
        this.lagEveryNanos = TimeUnit.MILLISECONDS.toNanos(resources.config().triggers().statusIntervalMs());
    }

    @Override
    protected void consume() {
        requireTopics();
        intake = intake();
        lanes = new Lanes(batchSize, settings.spec().getBatchWindowMs(), settings.function().getConcurrency(),
                Math.max(1, TURN_RECORDS / batchSize));
        TriggerStart.ensure(resources.admin(), settings.group(), false, settings.spec());
        // "none": a partition without a committed offset, or one whose offset retention overtook, is placed by
        // place() below, which says what it skipped; Kafka's own reset would do it silently.
        Map<String, Object> props = Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, METADATA_MAX_AGE_MS,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(DEFAULT_MAX_POLL_INTERVAL_MS, 2 * settings.settleTimeoutMs()));
        try (TransactionWriter transactions = new TransactionWriter(resources.clients(),
                settings.transactionalId(resources.topics()), "ferry-trigger-" + settings.name() + "-producer",
                resources.config().triggers().commitIntervalMs(), codec());
                KafkaConsumer<byte[], byte[]> kafka = resources.clients().consumer(settings.group(),
                        "ferry-trigger-" + settings.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                        props)) {
            writer = transactions;
            consumer = kafka;
            abandoned = false;
            consumer.subscribe(settings.spec().getTopics(), new Rebalance());
            running();
            try {
                if (loop()) {
                    handOver(Set.copyOf(ledgers.keySet()));
                    commit();
                }
            } catch (RuntimeException | Error e) {
                // What the failure interrupted may be half in the transaction (a failed commit has aborted it):
                // nothing of it is committed, the next start reads it again from the committed offsets.
                abandon();
                throw e;
            }
        } finally {
            log.debug("[{}] consumed {} records in {} polls, {} turns, {} commits taking {} ms", settings.name(),
                    polledRecords, polls, turns.started(), commits, commitNanos / 1_000_000);
            polls = 0;
            polledRecords = 0;
            commits = 0;
            commitNanos = 0;
            // What still runs after a failure must not go on: its records are read again from the committed offsets.
            turns.clear();
            ledgers.clear();
            committed.clear();
            sentOpen.clear();
            lostSent = false;
            forgetLast();
            consumer = null;
            writer = null;
        }
    }

    /**
     * Polls, runs and commits until the replica stops (true) or must start over from the committed offsets (false:
     * the open transaction is abandoned).
     */
    private boolean loop() {
        long nextCommit = System.nanoTime() + commitIntervalNanos;
        long nextLag = System.nanoTime();
        fetchPaused = false;
        checkSources = false;
        while (!stopping()) {
            // While batches run, poll without waiting and wait for their ends instead: a 20 ms poll per batch
            // would cap a partition at 50 batches a second.
            boolean busy = lanes.running() > 0;
            ConsumerRecords<byte[], byte[]> polled;
            try {
                polled = consumer.poll(busy ? Duration.ZERO : POLL);
            } catch (NoOffsetForPartitionException | OffsetOutOfRangeException e) {
                OffsetReset.place(settings.name(), consumer, intake, e);
                if (mustStartOver()) {
                    return false;
                }
                continue;
            }
            if (checkSources) {
                checkSources = false;
                requireSources();
            }
            polls++;
            polledRecords += polled.count();
            if (!polled.isEmpty()) {
                polledAt = System.nanoTime();
                polled.forEach(this::receive);
            }
            if (mustStartOver()) {
                return false;
            }
            settle(busy ? Math.max(1, Math.min(SETTLE_WAIT_MS,
                    TimeUnit.NANOSECONDS.toMillis(nextCommit - System.nanoTime()))) : 0);
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
        return true;
    }

    /**
     * Whether the open transaction must be given up and the replica start over from the committed offsets (then it
     * is abandoned): a lost partition's writes are in it, whose records may run elsewhere now (committing them would
     * write them twice); or a source topic was re-created, whose offsets this producer would commit under the
     * deleted topic's id and retry until its {@code max.block.ms} ({@link SourceTopicIds}): a new producer learns
     * the new id.
     */
    private boolean mustStartOver() {
        if (lostSent) {
            log.warn("[{}] a lost partition's outputs were in the open transaction: aborting it and starting over "
                    + "from the committed offsets", settings.name());
        } else if (intake.takeSourceRecreated()) {
            log.info("[{}] starting over from the committed offsets with a new producer, which knows the re-created "
                    + "topic's id", settings.name());
        } else {
            return false;
        }
        abandon();
        return true;
    }

    /**
     * Gives up the open work: cuts every running turn, aborts the open transaction, and marks the ledgers as not to
     * be committed ({@link #abandoned}); the replica then starts over from the committed offsets.
     */
    private void abandon() {
        abandoned = true;
        turns.cutAll();
        try {
            writer.abort();
        } catch (RuntimeException e) {
            // The producer is closed next; the next one's initTransactions aborts what is open.
            log.debug("[{}] aborting the open transaction failed: {}", settings.name(), e.toString());
        }
    }

    private void receive(ConsumerRecord<byte[], byte[]> record) {
        // A poll's records come partition by partition: the last one's ledger and lane serve most records without
        // a new TopicPartition, LaneId and map lookup each (issue 16).
        PartitionLedger ledger = lastLedger;
        TopicPartition tp = lastPartition;
        if (tp == null || tp.partition() != record.partition()
                || !tp.topic().equals(record.topic())) {
            tp = new TopicPartition(record.topic(), record.partition());
            ledger = ledgers.computeIfAbsent(tp, p -> new PartitionLedger());
            lastPartition = tp;
            lastLedger = ledger;
            lastLane = new Lanes.LaneId(tp, null);
        }
        ledger.received(record.offset());
        counters.read(tp, record.offset());
        Intake.Admission admission = intake.admit(record);
        switch (admission.kind()) {
            case FILTERED -> ledger.finished(record.offset(), List.of(), new PartitionLedger.Tally(1, 0, 0));
            case UNDECODABLE -> ledger.finished(record.offset(), List.of(admission.failure()),
                    new PartitionLedger.Tally(0, 0, 1));
            case READY -> lanes.add(byKey ? new Lanes.LaneId(tp, SourceDecoder.keyText(record.key())) : lastLane,
                    admission.item(), polledAt);
        }
    }

    /** Drops the cached partition of {@link #receive}: its ledger may be gone. */
    private void forgetLast() {
        lastPartition = null;
        lastLedger = null;
        lastLane = null;
    }

    /**
     * Starts the turns that may start ({@link Turns}), each only while the invoker admits another run (stuck runs are
     * bounded). A turn that is over when it returns is applied at once and its lane's next turn started, until
     * nothing ends at once or {@code commitDue} (a {@link System#nanoTime}) passes.
     */
    private void startBatches(long commitDue) {
        do {
            lanes.start(System.nanoTime(), this::mayStartRun,
                    batch -> turns.start(batch, ledgers.get(batch.lane().partition())));
        } while (settle(0) > 0 && System.nanoTime() - commitDue < 0);
    }

    /**
     * Applies ended turns and batches, waiting up to {@code waitMs} for a turn to end; sends each partition's
     * finished prefix into the open transaction at once ({@link TransactionWriter#send}). Returns how many turns
     * ended.
     */
    private int settle(long waitMs) {
        List<Turns.Turn> ended = turns.takeEnded(waitMs);
        // After taking the ends: a turn's batches are finished before its end is taken.
        Map<TopicPartition, PartitionLedger> touched = new HashMap<>();
        Turns.Finished next;
        while ((next = turns.pollFinished()) != null) {
            if (next.error() != null) {
                throw new IllegalStateException("A batch of " + settings.name() + " ended in error: " + next.error(),
                        next.error());
            }
            // The turn's partition, not one built from a record per batch (issue 16).
            TopicPartition tp = next.partition();
            if (ledgers.get(tp) == next.ledger()) {
                List<SourceItem> items = next.items();
                for (int i = 0; i < items.size() - 1; i++) {
                    next.ledger().finished(items.get(i).offset(), List.of());
                }
                next.ledger().finished(items.get(items.size() - 1).offset(), next.outcome().writes(),
                        new PartitionLedger.Tally(0, next.outcome().answered(), next.outcome().failed()));
                touched.put(tp, next.ledger());
            }
        }
        touched.forEach((tp, ledger) -> {
            List<ProducerRecord<byte[], byte[]>> prefix = ledger.takePrefix();
            if (!prefix.isEmpty()) {
                sentOpen.add(tp);
                writer.send(prefix);
            }
        });
        for (Turns.Turn turn : ended) {
            lanes.finished(turn.batch(), turn.unrun());
        }
        return ended.size();
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
        if (lostSent) {
            writer.abort();
            throw new FerryException("A lost partition's outputs were in the open transaction; it was aborted");
        }
        followPositions();
        List<ProducerRecord<byte[], byte[]>> writes = new ArrayList<>();
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
        long t0 = System.nanoTime();
        writer.commit(writes, offsets, consumer.groupMetadata());
        commitNanos += System.nanoTime() - t0;
        commits++;
        sentOpen.clear();
        offsets.forEach((tp, offset) -> committed.put(tp, offset.offset()));
        counters.filtered(tally.filtered());
        ended(tally.answered(), tally.failed());
    }

    /**
     * Cuts the turns running in {@code leaving} after their current batch, waits for them, then drops what has not
     * started there (the next owner runs it).
     */
    private void handOver(Set<TopicPartition> leaving) {
        turns.cut(leaving);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.settleTimeoutMs());
        long nextCommit = System.nanoTime() + commitIntervalNanos;
        while (leaving.stream().anyMatch(lanes::running) && System.nanoTime() - deadline < 0) {
            settle(50);
            if (System.nanoTime() - nextCommit >= 0) {
                // Sent writes are in the open transaction: a slow batch must not outlast its timeout.
                commit();
                nextCommit = System.nanoTime() + commitIntervalNanos;
            }
        }
        for (TopicPartition tp : leaving) {
            PartitionLedger ledger = ledgers.get(tp);
            OptionalLong dropped = lanes.dropWaiting(tp);
            if (ledger != null && dropped.isPresent()) {
                ledger.truncateFrom(dropped.getAsLong());
            }
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
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            if (abandoned) {
                // The consumer's close after the open work was given up: nothing of it may be committed.
                drop(revoked);
                log.info("[{}] revoked {} without a commit (starting over)", settings.name(), revoked);
                return;
            }
            handOver(new HashSet<>(revoked));
            commit();
            revoked.forEach(tp -> {
                ledgers.remove(tp);
                committed.remove(tp);
            });
            forgetLast();
            checkSources = true;
            log.info("[{}] revoked {}", settings.name(), revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // Another member may own them already: their unwritten work is simply dropped and runs there.
            if (lost.stream().anyMatch(sentOpen::contains)) {
                lostSent = true;
            }
            drop(lost);
            log.warn("[{}] lost {}", settings.name(), lost);
        }

        /** Cuts the partitions' turns and forgets them without a commit. */
        private void drop(Collection<TopicPartition> partitions) {
            turns.cut(partitions);
            partitions.forEach(tp -> {
                lanes.forget(tp);
                ledgers.remove(tp);
                committed.remove(tp);
            });
            forgetLast();
            checkSources = true;
        }
    }
}
