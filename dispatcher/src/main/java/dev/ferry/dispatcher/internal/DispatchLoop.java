package dev.ferry.dispatcher.internal;

import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.GroupPolls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume-transform-produce loop: one Kafka transaction per poll batch holds every record the batch becomes
 * (work, results, dead letters) and the batch's consumer offsets, so a crash anywhere leaves either all of it or
 * none of it visible to read_committed readers, and the next owner of the partitions starts where the last
 * committed batch ended.
 *
 * <p>A failed batch (registry or broker trouble, a rebalance that fenced the offset commit) is aborted and its
 * partitions rewound to their committed offsets, then retried after a backoff. A producer that can no longer
 * transact (fenced by a newer instance with the same transactional.id, or not authorized) stops the loop: going on
 * could only produce duplicates. Runs on one thread; {@link #stop()} may be called from any.
 *
 * <p>Given more than one producer (each with a transactional.id of its own), consecutive transactions take them in
 * turn (issue 16, part 3). A transaction begun on the producer that just committed finds its coordinator still
 * writing the last one's markers: its produce and its offset commit are answered {@code CONCURRENT_TRANSACTIONS} and
 * retried after a backoff, on every transaction while batches follow each other. Taking turns, the next transaction
 * begins on a producer whose last transaction ended a whole transaction ago. Exactly once holds as with one: the
 * transactions still follow each other (the next begins only once the last commit returned, so it is decided), the
 * read_committed readers' last stable offset keeps their records visible in order, and the group coordinator
 * materializes a partition's transactional offset commit only over an older one (by its position in
 * {@code __consumer_offsets}), so a late marker of the older transaction cannot move an offset back.
 */
public final class DispatchLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);
    /**
     * The longest one poll waits: {@link GroupPolls#IDLE}. A record arriving ends the poll at once; {@link #stop()}
     * wakes it.
     */
    static final Duration POLL = GroupPolls.IDLE;
    private static final long BACKOFF_START_MS = 200;
    private static final long BACKOFF_MAX_MS = 5_000;
    /** How often an instance that stepped out asks whether it may come back. */
    static final Duration PROBE = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    /** Taken in turn, one per transaction; {@link #producer} is the current transaction's. */
    private final List<Producer<byte[], byte[]>> producers;
    private Producer<byte[], byte[]> producer;
    private int turn;
    private final Function<ConsumerRecord<byte[], byte[]>, List<ProducerRecord<byte[], byte[]>>> router;
    private final Runnable beforeBatch;
    private final String source;
    private final String dlq;
    private final String name;
    /** Records the broker refused as they were (too large): the retry sends them to the DLQ instead of looping. */
    private final Map<RecordPosition, Throwable> refused = new ConcurrentHashMap<>();
    private final Set<RecordPosition> refusedDeadLetters = ConcurrentHashMap.newKeySet();
    /**
     * Records whose last send went in a produce batch of their own ({@link Outgoing#alone}). The broker judges a
     * batch's size, not a record's, and refuses a batch whole: a small record that shared one with a too-large record
     * was refused with it and dead-lettered too (a CI run, session 14). So a refused record is first sent again
     * alone, and dead-lettered only when refused that way too.
     */
    private final Set<RecordPosition> sentAlone = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long backoffMs = BACKOFF_START_MS;
    private final DispatchMeters meters;
    private Runnable afterCommit = () -> { };
    private StepOut stepOut = StepOut.never();
    /** Why the schema registry cannot serve (empty: it can); asked while stepped out on a registry failure. */
    private Supplier<Optional<String>> registryProblem = Optional::empty;
    /** Why this instance stepped out of its group and what brings it back, or null while it is in. */
    private volatile String steppedOut;

    /**
     * @param router what each record becomes (see {@link RecordRouter}); throws
     *     {@link RetriableFerryException} when the batch should be retried
     * @param beforeBatch told after each poll, before the batch's records are routed
     * @param source the topic to route ({@code ferry.invocations})
     * @param name this instance's name in logs (its transactional.id)
     */
    public DispatchLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
            Function<ConsumerRecord<byte[], byte[]>, List<ProducerRecord<byte[], byte[]>>> router, Runnable beforeBatch,
            String source, String dlq, String name) {
        this(consumer, producer, router, beforeBatch, source, dlq, name, DispatchMeters.none());
    }

    public DispatchLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
            Function<ConsumerRecord<byte[], byte[]>, List<ProducerRecord<byte[], byte[]>>> router, Runnable beforeBatch,
            String source, String dlq, String name, DispatchMeters meters) {
        this(consumer, List.of(producer), router, beforeBatch, source, dlq, name, meters);
    }

    /** @param producers transactional producers with distinct transactional.ids, taken in turn per transaction */
    public DispatchLoop(Consumer<byte[], byte[]> consumer, List<? extends Producer<byte[], byte[]>> producers,
            Function<ConsumerRecord<byte[], byte[]>, List<ProducerRecord<byte[], byte[]>>> router, Runnable beforeBatch,
            String source, String dlq, String name, DispatchMeters meters) {
        if (producers.isEmpty()) {
            throw new IllegalArgumentException("a dispatch loop needs a producer");
        }
        this.meters = meters;
        this.consumer = consumer;
        this.producers = List.copyOf(producers);
        this.producer = this.producers.get(0);
        this.router = router;
        this.beforeBatch = beforeBatch;
        this.source = source;
        this.dlq = dlq;
        this.name = name;
    }

    /** Told on the routing thread after each batch's transaction commits; set before {@link #run()}. */
    public DispatchLoop onCommitted(Runnable afterCommit) {
        this.afterCommit = afterCommit;
        return this;
    }

    /**
     * When to step out of the group (a tester, session 12; {@link StepOut}) and how to ask whether the schema
     * registry answers again; set before {@link #run()}. Without it the loop never steps out.
     */
    public DispatchLoop steppingOut(StepOut decisions, Supplier<Optional<String>> registryProblem) {
        this.stepOut = decisions;
        this.registryProblem = registryProblem;
        return this;
    }

    /** Why this instance is out of its group now, and what brings it back; empty while it holds its share. */
    public Optional<String> steppedOut() {
        return Optional.ofNullable(steppedOut);
    }

    private record RecordPosition(String topic, int partition, long offset) {
        static RecordPosition of(ConsumerRecord<?, ?> record) {
            return new RecordPosition(record.topic(), record.partition(), record.offset());
        }
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(source));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    dispatch(records);
                }
            }
        } catch (WakeupException e) {
            // stop() woke us from a poll
        } catch (RuntimeException | Error e) {
            // An Error too (docs/design.md section 11): never a thread that ends with no line in Ferry's log while
            // the instance still holds its partitions; failure() is what readiness reports.
            failure = e;
            log.error("[{}] Dispatcher stopped on an unexpected error; routing of {} halts until it is restarted",
                    name, source, e);
        } finally {
            running = false;
            if (failure != null) {
                leaveGroup();
            }
            stopped.countDown();
        }
    }

    /** A failed instance gives its partitions to the others at once rather than holding them until closed. */
    private void leaveGroup() {
        try {
            consumer.unsubscribe();
        } catch (RuntimeException e) {
            log.warn("[{}] Could not leave the group after the failure: {}", name, e.toString());
        }
    }

    /** Asks the loop to finish its current batch (committing or aborting its transaction) and return. */
    public void stop() {
        running = false;
        stopRequested.countDown();
        consumer.wakeup();
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean running() {
        return running;
    }

    /** Why the loop stopped by itself, or null. */
    public Throwable failure() {
        return failure;
    }

    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        boolean inTransaction = false;
        producer = producers.get(turn);
        turn = (turn + 1) % producers.size();
        try {
            List<Outgoing> out = transform(records);
            producer.beginTransaction();
            inTransaction = true;
            for (Outgoing outgoing : out) {
                send(outgoing);
            }
            producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
            producer.commitTransaction();
            afterCommit.run();
            meters.committed(out.stream().map(Outgoing::record).toList());
            log.debug("[{}] Committed a batch of {} records", name, out.size());
            backoffMs = BACKOFF_START_MS;
            stepOut.succeeded();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                | UnsupportedVersionException e) {
            fatal(e);
        } catch (RetriableFerryException | KafkaException e) {
            if (inTransaction && !abort(e)) {
                return;
            }
            rewind(records);
            if (stepOut.failed()) {
                stepOutUntilBack(records.count(), e);
                return;
            }
            log.warn("[{}] Batch of {} records not forwarded, retrying from the last committed offsets: {}", name,
                    records.count(), e.toString());
            pause();
        }
    }

    /**
     * Leaves the group, so the other instances route this one's partitions (nothing of the failed batch was
     * committed: they start from its committed offsets), waits out of it until what failed works again (the
     * registry answers, or the time out has passed for any other failure), and subscribes again. The producers stay:
     * their transactions are all ended, and a restart of this instance still fences them (a tester, session 12).
     */
    private void stepOutUntilBack(int batch, RuntimeException cause) {
        boolean registry = StepOut.registryFailure(cause);
        String group = consumer.groupMetadata().groupId();
        Set<TopicPartition> held = consumer.assignment();
        String back = registry ? "the schema registry answers again (asked every " + PROBE.toSeconds() + " s)"
                : stepOut.window().toSeconds() + " s have passed, to try again";
        log.warn("[{}] Batch of {} records not forwarded {} times in a row over {} s ({}): stepping out of group {}, "
                + "so the other dispatchers route its partitions {} from their committed offsets; not ready until "
                + "it rejoins, once {}", name, batch, stepOut.failedInARow(), stepOut.failingFor().toSeconds(),
                cause.toString(), group, held, back);
        try {
            consumer.unsubscribe();
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("[{}] Could not leave group {}: {}", name, group, e.toString());
        }
        steppedOut = "stepped out of group " + group + " since " + (registry ? "the schema registry is unavailable"
                : "its batches keep failing") + " (" + stepOut.failedInARow() + " attempts in a row over "
                + stepOut.failingFor().toSeconds() + " s; the last: " + cause + "); it rejoins once " + back;
        try {
            while (running) {
                if (stopRequested.await(PROBE.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (stepOut.mayRejoin(registry, () -> registryProblem.get().isEmpty())) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        if (!running) {
            return;
        }
        log.warn("[{}] Rejoining group {}: {}", name, group, registry ? "the schema registry answers again"
                : "trying again after " + stepOut.window().toSeconds() + " s out");
        backoffMs = BACKOFF_START_MS;
        consumer.subscribe(List.of(source));
        steppedOut = null;
    }

    /**
     * A record to send, the position of the record it came from, and whether it goes in a produce batch of its own
     * (flushed before and after it: a retry of a record the broker refused beside others).
     */
    private record Outgoing(RecordPosition origin, ProducerRecord<byte[], byte[]> record, boolean alone) {
    }

    private List<Outgoing> transform(ConsumerRecords<byte[], byte[]> records) {
        beforeBatch.run();
        List<Outgoing> out = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            RecordPosition origin = RecordPosition.of(record);
            boolean wasAlone = sentAlone.remove(origin);
            Throwable refusal = refused.remove(origin);
            if (refusal != null && (wasAlone || refusedDeadLetters.contains(origin))) {
                out.add(new Outgoing(origin, refusedInstead(origin, record, refusal), false));
            } else {
                // One record, or a rejection with its reply copy: all in this transaction (issue 15, part 5); a
                // record refused beside others goes alone this time (see sentAlone).
                boolean alone = refusal != null;
                router.apply(record).forEach(routed -> out.add(new Outgoing(origin, routed, alone)));
            }
        }
        return out;
    }

    private ProducerRecord<byte[], byte[]> refusedInstead(RecordPosition origin, ConsumerRecord<byte[], byte[]> record,
            Throwable refusal) {
        if (!refusedDeadLetters.remove(origin)) {
            log.warn("[{}] Dead-lettering the invocation at {}-{}@{}: the broker refused what it became: {}", name,
                    record.topic(), record.partition(), record.offset(), refusal.getMessage());
            return DeadLetters.of(dlq, record, refusal, 0);
        }
        // Even the dead letter was too large: keep the verdict and the way back to the original, drop the bytes.
        log.warn("[{}] Dead-lettering the invocation at {}-{}@{} without its value, which no topic accepts", name,
                record.topic(), record.partition(), record.offset());
        return DeadLetters.of(dlq, withoutValue(record), refusal.getClass().getName(), refusal.getMessage()
                + " (the value was dropped from this dead letter: it exceeds the DLQ's limit too; the original "
                + "stays in its topic until retention removes it)", 0);
    }

    private static ConsumerRecord<byte[], byte[]> withoutValue(ConsumerRecord<byte[], byte[]> record) {
        return new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.timestampType(), record.serializedKeySize(), 0, record.key(), null, record.headers(),
                record.leaderEpoch());
    }

    private void send(Outgoing outgoing) {
        ProducerRecord<byte[], byte[]> record = outgoing.record();
        if (outgoing.alone()) {
            producer.flush(); // what was sent before goes in batches without it
            sentAlone.add(outgoing.origin());
        }
        producer.send(record, (metadata, error) -> {
            // Retrying a record the broker refuses for its size would fail every retry of the batch; the retry
            // sends a dead letter in its place instead.
            if (error instanceof RecordTooLargeException) {
                if (record.topic().equals(dlq)) {
                    refusedDeadLetters.add(outgoing.origin());
                }
                refused.putIfAbsent(outgoing.origin(), error);
            }
        });
        if (outgoing.alone()) {
            producer.flush(); // and what comes after it
        }
    }

    private boolean abort(Exception cause) {
        try {
            producer.abortTransaction();
            return true;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                | UnsupportedVersionException e) {
            fatal(e);
        } catch (KafkaException e) {
            e.addSuppressed(cause);
            fatal(e);
        }
        return false;
    }

    private void fatal(KafkaException e) {
        failure = e;
        running = false;
        log.error("[{}] Dispatcher stopping: its producer can no longer transact ({}). Another instance with the "
                + "same transactional.id has taken over, or permissions are missing; nothing after the last "
                + "committed batch was written.", name, e.toString(), e);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** Back to the last committed offset of each partition of the batch this instance still owns. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        Set<TopicPartition> owned = new HashSet<>(records.partitions());
        owned.retainAll(consumer.assignment());
        if (owned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(owned, Duration.ofSeconds(10));
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // Each batch is committed before the next poll, so the batch's first offsets are the committed ones.
            committed = Map.of();
        }
        for (TopicPartition tp : owned) {
            OffsetAndMetadata offset = committed.get(tp);
            // Nothing committed yet (or not known): the batch began where the committed position was.
            consumer.seek(tp, offset != null ? offset.offset() : records.records(tp).get(0).offset());
        }
    }

    private void pause() {
        try {
            stopRequested.await(backoffMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
    }
}
