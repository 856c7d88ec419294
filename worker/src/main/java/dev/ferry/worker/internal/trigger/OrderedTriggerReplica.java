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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * {@link Lanes} (one lane per partition, or per partition and key), run a lane's turn at a time through the
 * {@link BatchRunner}, and their writes wait in each partition's {@link PartitionLedger} until every earlier record
 * of the partition is finished; each finished prefix is sent into the open transaction at once, and every
 * {@code trigger.commit.interval.ms} the offsets after the prefixes commit with them in that transaction
 * ({@link TransactionWriter}). So an output is on the destination exactly once, in source order per partition (per
 * key), across crashes (DESIGN "Triggers", Guarantees).
 *
 * <p>On revocation the replica cuts the partition's running turns after their current batch, waits for them, drops
 * the records that have not started, and commits before handing it over. A lost partition is dropped without a
 * commit; if its writes were already sent, the open transaction is aborted and the replica starts over from the
 * committed offsets. The trigger's {@code startingPosition} is set once, before its group's first member joins
 * ({@link TriggerStart}); a partition without a committed offset after that (added to a topic, a re-created topic's)
 * starts at its earliest offset, and a committed offset that retention overtook resumes at the earliest record still
 * there, with a warning naming the partition and how many offsets were lost. A source topic that disappears makes
 * the replica FAILING until it is back.
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
    /** Ended batches, in the order they ended; added to without waking the polling thread. */
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    /** Ended turns: each wakes the polling thread, after its batches are in {@link #finished}. */
    private final LinkedBlockingQueue<Turn> turnEnds = new LinkedBlockingQueue<>();
    /** Turns running now (polling thread only). */
    private final Set<Turn> turns = new HashSet<>();
    private final int batchSize;
    private final long turnNanos;
    /** Partitions whose writes are in the open transaction (polling thread only). */
    private final Set<TopicPartition> sentOpen = new HashSet<>();
    /** Counts of one consume(), logged when it ends (polling thread only): polls, records, turns, commits. */
    private long polls;
    private long polledRecords;
    private long turnCount;
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

    public OrderedTriggerReplica(TriggerReplicaSettings settings, WorkerResources resources, TriggerCounters pool,
            Runnable onStuck) {
        super(settings, resources, pool, onStuck);
        this.byKey = settings.spec().getOrdering() == TriggerOrdering.KEY;
        this.commitIntervalNanos = resources.config().triggers().commitIntervalMs() * 1_000_000L;
        this.maxOpen = Math.max(2_000, 4 * settings.spec().getBatchSize());
        this.batchSize = Math.max(1, settings.spec().getBatchSize());
        // A turn starts no batch after a commit interval, so a slow function's lanes still take turns often.
        this.turnNanos = commitIntervalNanos;
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
                    polledRecords, polls, turnCount, commits, commitNanos / 1_000_000);
            polls = 0;
            polledRecords = 0;
            turnCount = 0;
            commits = 0;
            commitNanos = 0;
            // What still runs after a failure must not go on: its records are read again from the committed offsets.
            turns.forEach(turn -> turn.cut = true);
            turns.clear();
            ledgers.clear();
            committed.clear();
            finished.clear();
            turnEnds.clear();
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
                place(e);
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
            polled.forEach(this::receive);
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
        turns.forEach(turn -> turn.cut = true);
        try {
            writer.abort();
        } catch (RuntimeException e) {
            // The producer is closed next; the next one's initTransactions aborts what is open.
            log.debug("[{}] aborting the open transaction failed: {}", settings.name(), e.toString());
        }
    }

    /**
     * Places partitions the consumer has no valid position for: one without a committed offset (added to a source
     * after the trigger started, or a re-created topic's: its records were all written since) at its earliest
     * offset; one whose committed offset is below the log start (retention, or a deletion of records, overtook the
     * trigger) at the log start, with a warning counting the offsets lost; one past the log end at the end, unless
     * its topic was re-created under the consumer (a position of the deleted topic's: the replica starts over, see
     * {@link #mustStartOver}).
     */
    private void place(RuntimeException e) {
        if (e instanceof NoOffsetForPartitionException none) {
            log.info("[{}] {} have no committed offset (a new trigger's EARLIEST start, a partition added to a source, "
                    + "a re-created source): reading them from their earliest offset", settings.name(),
                    none.partitions());
            consumer.seekToBeginning(none.partitions());
            return;
        }
        Map<TopicPartition, Long> fetched = ((OffsetOutOfRangeException) e).offsetOutOfRangePartitions();
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(fetched.keySet());
        Map<TopicPartition, Long> ends = consumer.endOffsets(fetched.keySet());
        fetched.forEach((tp, offset) -> {
            long start = starts.getOrDefault(tp, 0L);
            long end = ends.getOrDefault(tp, start);
            if (offset > end && intake.sourceRecreated(tp.topic())) {
                return;
            }
            if (offset > end) {
                log.warn("[{}] the position {} of {} is past its end {}: resuming at the end", settings.name(),
                        offset, tp, end);
                consumer.seek(tp, end);
            } else {
                log.warn("[{}] records {}..{} of {} were deleted (retention) before the trigger read them: {} "
                        + "offsets skipped, resuming at {}", settings.name(), offset, start - 1, tp,
                        Math.max(0, start - offset), start);
                consumer.seek(tp, start);
            }
        });
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
                    admission.item(), System.nanoTime());
        }
    }

    /** Drops the cached partition of {@link #receive}: its ledger may be gone. */
    private void forgetLast() {
        lastPartition = null;
        lastLedger = null;
        lastLane = null;
    }

    /**
     * Starts the turns that may start, each only while the invoker admits another run (stuck runs are bounded). A
     * turn that is over when it returns is applied at once and its lane's next turn started, until nothing ends at
     * once or {@code commitDue} (a {@link System#nanoTime}) passes.
     */
    private void startBatches(long commitDue) {
        do {
            lanes.start(System.nanoTime(), this::mayStartRun, batch -> {
                Turn turn = new Turn(batch, ledgers.get(batch.lane().partition()), System.nanoTime() + turnNanos);
                turns.add(turn);
                turnCount++;
                proceed(turn);
            });
        } while (settle(0) > 0 && System.nanoTime() - commitDue < 0);
    }

    /**
     * Runs the turn's next batch, and from its end the one after, each only once the previous has ended (retries
     * included), so a lane's batches run one at a time in offset order. The first runs from the polling thread, the
     * others from the end of the previous, on the user thread that ran it ({@link UserThreads}): the polling thread
     * is not woken per batch (issue 16). The turn ends when its records are done, when it was cut (hand-over, stop,
     * failure), after {@link #turnNanos}, or when the invoker admits no more runs; what it did not run goes back to
     * its lane.
     */
    private void proceed(Turn turn) {
        List<SourceItem> items = turn.batch.items();
        while (true) {
            if (turn.next > 0 && (turn.next >= items.size() || turn.cut || System.nanoTime() - turn.until >= 0
                    || !mayStartRun())) {
                turn.unrun = items.subList(turn.next, items.size());
                turnEnds.add(turn);
                return;
            }
            List<SourceItem> part = items.subList(turn.next, Math.min(items.size(), turn.next + batchSize));
            turn.next += part.size();
            CompletableFuture<BatchOutcome> run = runner.run(part);
            if (!run.isDone()) {
                run.whenComplete((outcome, error) -> {
                    if (batchEnded(turn, part, outcome, error)) {
                        proceed(turn);
                    }
                });
                return;
            }
            BatchOutcome outcome = null;
            Throwable error = null;
            try {
                outcome = run.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
            if (!batchEnded(turn, part, outcome, error)) {
                return;
            }
        }
    }

    /** Records the end of one batch of {@code turn}; returns whether the turn goes on (false: it ended in error). */
    private boolean batchEnded(Turn turn, List<SourceItem> part, BatchOutcome outcome, Throwable error) {
        finished.add(new Finished(part, turn.batch.lane().partition(), turn.ledger, outcome, error));
        if (error == null) {
            return true;
        }
        turn.unrun = turn.batch.items().subList(turn.next, turn.batch.items().size());
        turnEnds.add(turn);
        return false;
    }

    /**
     * Applies ended turns and batches, waiting up to {@code waitMs} for a turn to end; sends each partition's
     * finished prefix into the open transaction at once ({@link TransactionWriter#send}). Returns how many turns
     * ended.
     */
    private int settle(long waitMs) {
        List<Turn> ended = new ArrayList<>();
        Turn end = waitMs > 0 ? take(waitMs) : turnEnds.poll();
        while (end != null) {
            ended.add(end);
            end = turnEnds.poll();
        }
        // After taking the ends: a turn's batches are in finished before its end is.
        Map<TopicPartition, PartitionLedger> touched = new HashMap<>();
        Finished next;
        while ((next = finished.poll()) != null) {
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
        for (Turn turn : ended) {
            turns.remove(turn);
            lanes.finished(turn.batch, turn.unrun);
        }
        return ended.size();
    }

    private Turn take(long waitMs) {
        try {
            return turnEnds.poll(waitMs, TimeUnit.MILLISECONDS);
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
        cut(leaving);
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

    private void cut(Collection<TopicPartition> partitions) {
        for (Turn turn : turns) {
            if (partitions.contains(turn.batch.lane().partition())) {
                turn.cut = true;
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
            cut(partitions);
            partitions.forEach(tp -> {
                lanes.forget(tp);
                ledgers.remove(tp);
                committed.remove(tp);
            });
            forgetLast();
            checkSources = true;
        }
    }

    /** One ended batch of a turn: its records, in offset order, and their partition. */
    private record Finished(List<SourceItem> items, TopicPartition partition, PartitionLedger ledger,
            BatchOutcome outcome, Throwable error) {
    }

    /**
     * A lane's turn in flight. {@link #next} and {@link #unrun} are written by whichever thread runs the turn at
     * the time, one after another (each batch's end happens before the next step); the polling thread reads
     * {@link #unrun} after taking the turn from {@link #turnEnds}.
     */
    private static final class Turn {
        final Lanes.Batch batch;
        final PartitionLedger ledger;
        final long until;
        volatile boolean cut;
        int next;
        List<SourceItem> unrun = List.of();

        Turn(Lanes.Batch batch, PartitionLedger ledger, long until) {
            this.batch = batch;
            this.ledger = ledger;
            this.until = until;
        }
    }
}
