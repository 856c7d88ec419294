package dev.ferry.worker.internal;

import dev.ferry.core.kafka.GroupPolls;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of an {@code ORDERED} function: a member of the function's consumer group (KIP-848). Invocations
 * with the same request key run one after another in offset order; different keys (and keyless requests) run
 * concurrently up to {@code concurrency}. Offsets are committed per partition up to the lowest invocation whose
 * result is not written yet, or to the consumer's position (past transaction markers) when all are written
 * ({@link OffsetTracker}). On revocation the replica finishes the partition's running
 * invocations, commits, and drops what it fetched but had not started, which the new owner fetches again. A record
 * whose schema the registry cannot give stops its partition there until the registry answers ({@link #receive}).
 */
public final class OrderedReplica extends Replica {

    private static final Logger log = LoggerFactory.getLogger(OrderedReplica.class);
    private static final Duration POLL = Duration.ofMillis(20);
    /**
     * The longest wait of a replica with no run out, and of a full one for a run to end. Shorter than an idle group
     * member's ({@link GroupPolls#IDLE}): the loop commits what finished runs answered every {@link #COMMIT_INTERVAL}
     * between waits, and the autoscaler reads a replica's progress from those commits. A replica runs only while its
     * pool has work, so its idle polls are not an idle process's cost.
     */
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    /**
     * How often a busy replica commits: a commit per loop was one offset commit per ~20 records (issue 16, part 4:
     * 467 commits for 10,000 invocations), each a write on the group coordinator, while a plain consumer commits
     * once per poll batch. A crash repeats at most this much more work; revocations and stops still commit at once.
     */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);

    private final int concurrency;
    private final int maxBuffered;
    private final Map<TopicPartition, PartitionWork> partitions = new HashMap<>();
    /** Partitions stopped at a record whose schema the registry could not give, until the replica steps out. */
    private final Set<TopicPartition> halted = new HashSet<>();
    private final ArrayDeque<KeyQueue> ready = new ArrayDeque<>();
    private final LinkedBlockingDeque<Done> done = new LinkedBlockingDeque<>();
    /** Runs inside the function now: at most {@code concurrency}. */
    private int inFlight;
    /** Attempts whose run is over and whose result is being written: at most {@link #maxWriting}. */
    private int writing;
    private final int maxWriting;
    private int buffered;
    private Throwable writeFailure;

    public OrderedReplica(ReplicaSettings settings, AttemptProcessor processor, WorkerResources resources) {
        super(settings, processor, resources);
        this.concurrency = Math.max(1, settings.spec().getConcurrency());
        this.maxBuffered = Math.max(100, concurrency * 20);
        this.maxWriting = maxBuffered;
    }

    @Override
    protected void consume() {
        // Handing a partition over waits for its started keys to finish, which the group must wait for too.
        Map<String, Object> props = Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxBuffered,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(DEFAULT_MAX_POLL_INTERVAL_MS,
                        2 * settings.settleTimeoutMs()));
        try (KafkaConsumer<byte[], byte[]> consumer = resources.clients().consumer(settings.group(),
                "ferry-" + settings.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer(), props)) {
            consumer.subscribe(List.of(settings.topic()), new Rebalance(consumer));
            long lastCommit = System.nanoTime();
            try {
                while (!stopping() && writeFailure == null && !steppingOut()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(awaitWork());
                    records.forEach(this::receive);
                    followPositions(consumer);
                    settleDone(false);
                    startReady(true);
                    if (System.nanoTime() - lastCommit >= COMMIT_INTERVAL.toNanos()) {
                        commit(consumer, partitions.keySet(), false);
                        lastCommit = System.nanoTime();
                    }
                    flowControl(consumer);
                }
            } finally {
                // A clean stop, or a failure: either way settle what we hold and commit what is safe.
                drain(partitions.keySet());
                commit(consumer, partitions.keySet(), true);
                partitions.clear();
                halted.clear();
                ready.clear();
                buffered = 0;
            }
            if (writeFailure != null) {
                Throwable failure = writeFailure;
                writeFailure = null;
                throw new IllegalStateException("A result could not be written: " + failure, failure);
            }
        }
    }

    /**
     * Before giving partitions up: drops their fetched records that come after everything started so far, and
     * runs the rest to the end. Then every offset up to the last one started is answered, so the commit covers
     * all work done and the next owner repeats nothing; a record behind a busy key that was simply dropped would
     * hold the commit back and make the next owner run the finished records after it again.
     */
    private void drain(Collection<TopicPartition> leaving) {
        List<PartitionWork> works = leaving.stream().map(partitions::get).filter(w -> w != null).toList();
        for (PartitionWork work : works) {
            buffered -= work.dropWaitingAfter(work.maxStarted);
        }
        while (works.stream().anyMatch(PartitionWork::holdsWork)) {
            settleDone(true);
            // Handing over needs every started key's earlier records answered, stuck threads or not.
            startReady(false);
        }
    }

    /**
     * Queues a fetched record behind its key. A record whose schema the registry could not give halts its partition
     * there: it is tracked unanswered, so no commit passes it, and neither it nor anything after it in the partition
     * runs (its key is unknown, so running a later record could break its key's order); the replica then steps out
     * until the registry answers ({@link Replica}) and reads the partition again from there.
     */
    private void receive(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (halted.contains(tp)) {
            return;
        }
        PartitionWork work = partitions.computeIfAbsent(tp, PartitionWork::new);
        work.tracker.received(record.offset());
        Decoded decoded = resources.decode(record);
        if (decoded.registryLost()) {
            halted.add(tp);
            stepOutForRegistry();
            log.info("[{}] {} waits for the schema registry: {}", settings.name(), WorkerResources.where(record),
                    decoded.error().toString());
            return;
        }
        String key = decoded.ok() ? decoded.request().getKey() : null;
        KeyQueue queue = key == null ? new KeyQueue(work, null) : work.keys.computeIfAbsent(key,
                k -> new KeyQueue(work, k));
        queue.pending.add(new Pending(record, decoded));
        buffered++;
        if (!queue.running && queue.pending.size() == 1) {
            ready.add(queue);
        }
    }

    /**
     * Moves each partition's commit point to the consumer's position once its records are answered: past the
     * transaction markers, which are never received as records (see {@link OffsetTracker}).
     */
    private void followPositions(KafkaConsumer<byte[], byte[]> consumer) {
        // Only partitions this replica has received records from: their position is known, so asking for it never
        // starts a lookup of the committed offset. A lookup given no time (Duration.ZERO) on every poll could keep
        // a newly assigned partition from ever getting its position (seen in ResizeIT after a scale-down handed
        // partitions back); a partition that never gave a record has nothing of this replica's to commit anyway.
        Set<TopicPartition> assigned = consumer.assignment();
        for (Map.Entry<TopicPartition, PartitionWork> entry : partitions.entrySet()) {
            if (!assigned.contains(entry.getKey())) {
                continue;
            }
            try {
                entry.getValue().tracker.fetchedTo(consumer.position(entry.getKey(), Duration.ZERO));
            } catch (TimeoutException e) {
                // No position yet: next poll.
            }
        }
    }

    /** @param admitted whether to hold back while runs stuck past their timeout hold too many threads */
    private void startReady(boolean admitted) {
        while (inFlight < concurrency && writing < maxWriting && !ready.isEmpty()
                && (!admitted || mayStartRun())) {
            KeyQueue queue = ready.poll();
            if (queue.work.revoked || queue.running || queue.pending.isEmpty()) {
                continue;
            }
            Pending head = queue.pending.peek();
            queue.work.maxStarted = Math.max(queue.work.maxStarted, head.record().offset());
            queue.running = true;
            inFlight++;
            buffered--;
            Attempt attempt = new Attempt();
            processor.process(head.record(), head.decoded(), 1,
                    () -> done.add(new Done(attempt, null, null, null)))
                    .whenComplete((decision, error) -> done.add(new Done(attempt, queue, head,
                            WorkerStoppedException.unwrap(error))));
        }
    }

    /**
     * Waits where the next thing that can move work forward comes from, and returns how long the poll that follows
     * may block. While no run slot is free, or the fetch is paused, nothing a poll returns could start: the replica
     * waits for an attempt to finish (up to {@link #IDLE_POLL}) and then polls without blocking, so a finished run
     * frees its slot at once. Blocking in {@code poll} instead kept every finished attempt waiting up to
     * {@link #POLL} for the poll to return, which capped a replica at {@code concurrency} runs per 20 ms (issue 16,
     * part 4: ORDERED ran at a tenth of a plain consumer-group pipeline). Otherwise the poll may block: up to
     * {@link #POLL} while runs are out (a finished one may free its key's next record), {@link #IDLE_POLL} when
     * idle, and not at all when finished attempts are already waiting.
     */
    private Duration awaitWork() {
        if (inFlight >= concurrency || writing >= maxWriting || buffered >= maxBuffered) {
            try {
                Done first = done.pollFirst(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    done.offerFirst(first);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Duration.ZERO;
        }
        if (!done.isEmpty()) {
            return Duration.ZERO;
        }
        return inFlight > 0 ? POLL : IDLE_POLL;
    }

    /** Applies finished attempts; with {@code block}, waits a little for one first. */
    private void settleDone(boolean block) {
        Done next = block ? take() : done.poll();
        while (next != null) {
            Attempt attempt = next.attempt();
            if (next.queue() == null) {
                // The run is over, its result still being written: its slot may take the next run.
                if (!attempt.over) {
                    attempt.runEnded = true;
                    inFlight--;
                    writing++;
                }
                next = done.poll();
                continue;
            }
            attempt.over = true;
            if (attempt.runEnded) {
                writing--;
            } else {
                inFlight--;
            }
            KeyQueue queue = next.queue();
            queue.running = false;
            queue.pending.poll();
            if (next.error() instanceof WorkerStoppedException stopped) {
                log.info("[{}] {} stays uncommitted, to be read again: {}", settings.name(),
                        WorkerResources.where(next.pending().record()), stopped.getMessage());
            } else if (next.error() != null) {
                log.error("[{}] could not write the outcome of {}; its offset stays uncommitted: {}",
                        settings.name(), WorkerResources.where(next.pending().record()), next.error().toString());
                writeFailure = next.error();
            } else if (!queue.work.revoked) {
                queue.work.tracker.answered(next.pending().record().offset());
            }
            if (!queue.pending.isEmpty() && !queue.work.revoked) {
                ready.add(queue);
            } else if (queue.pending.isEmpty()) {
                if (queue.key == null) {
                    queue.work.keyless.remove(queue);
                } else {
                    queue.work.keys.remove(queue.key, queue);
                }
            }
            next = done.poll();
        }
    }

    private Done take() {
        try {
            return done.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void commit(KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> which, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : which) {
            PartitionWork work = partitions.get(tp);
            OptionalLong committable = work == null ? OptionalLong.empty() : work.tracker.committable();
            if (committable.isPresent() && committable.getAsLong() > work.committed) {
                offsets.put(tp, new OffsetAndMetadata(committable.getAsLong()));
                work.committed = committable.getAsLong();
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    log.warn("[{}] commit of {} failed (the next one covers it): {}", settings.name(), committed,
                            error.toString());
                }
            });
        }
    }

    /** Stops fetching while many records wait for their key's turn, so memory stays bounded. */
    private void flowControl(KafkaConsumer<byte[], byte[]> consumer) {
        if (buffered >= maxBuffered) {
            consumer.pause(consumer.assignment());
        } else if (buffered < maxBuffered / 2 && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> consumer;

        Rebalance(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (!assigned.isEmpty()) {
                log.info("[{}] assigned {}", settings.name(), assigned);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            drain(revoked);
            commit(consumer, revoked, true);
            revoked.forEach(tp -> {
                PartitionWork work = partitions.remove(tp);
                if (work != null) {
                    work.revoked = true;
                }
            });
            log.info("[{}] revoked {}", settings.name(), revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // Another member may own them already: committing now could move its position. Running work still
            // writes its results; the new owner may run those invocations again.
            lost.forEach(tp -> {
                PartitionWork work = partitions.remove(tp);
                if (work != null) {
                    buffered -= work.dropWaitingAfter(-1);
                    work.revoked = true;
                }
            });
            log.warn("[{}] lost {}", settings.name(), lost);
        }
    }

    /** A partition's fetched work: the commit tracker and the per-key queues. */
    private static final class PartitionWork {
        final OffsetTracker tracker = new OffsetTracker();
        final Map<String, KeyQueue> keys = new HashMap<>();
        final Set<KeyQueue> keyless = new HashSet<>();
        long committed = -1;
        long maxStarted = -1;
        boolean revoked;

        PartitionWork(TopicPartition tp) {
        }

        /** Whether any record of the partition runs or waits to run. */
        boolean holdsWork() {
            return keys.values().stream().anyMatch(q -> !q.pending.isEmpty())
                    || keyless.stream().anyMatch(q -> !q.pending.isEmpty());
        }

        /** Forgets the records past {@code offset} that have not started; returns how many. */
        int dropWaitingAfter(long offset) {
            int dropped = 0;
            for (KeyQueue queue : keys.values()) {
                dropped += queue.dropWaitingAfter(offset);
            }
            for (KeyQueue queue : keyless) {
                dropped += queue.dropWaitingAfter(offset);
            }
            return dropped;
        }
    }

    /** The records of one key in one partition, in offset order; at most the head runs. */
    private static final class KeyQueue {
        final PartitionWork work;
        final String key;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        boolean running;

        KeyQueue(PartitionWork work, String key) {
            this.work = work;
            this.key = key;
            if (key == null) {
                work.keyless.add(this);
            }
        }

        /** Drops waiting records past {@code offset} from the tail; a running head always stays. */
        int dropWaitingAfter(long offset) {
            int dropped = 0;
            int keep = running ? 1 : 0;
            while (pending.size() > keep && pending.peekLast().record().offset() > offset) {
                pending.pollLast();
                dropped++;
            }
            return dropped;
        }
    }

    private record Pending(ConsumerRecord<byte[], byte[]> record, Decoded decoded) {
    }

    /**
     * What a replica knows of one started attempt; the polling thread's alone. The key's next record still waits
     * until the attempt is {@code over} (its result written), so a key's invocations run and answer in order; only
     * the run slot is given back when the run ends.
     */
    private static final class Attempt {
        boolean runEnded;
        boolean over;
    }

    /** An attempt's run ended ({@code queue} null), or the attempt is over: result written, or failed to be. */
    private record Done(Attempt attempt, KeyQueue queue, Pending pending, Throwable error) {
    }
}
