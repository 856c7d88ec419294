package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.metrics.FerryMetrics;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one topic on a thread of its own and hands each record to a handler: the one way a
 * Ferry process follows a topic (the function directory, the gateway's result reader, the dispatcher's lag view,
 * the autoscaler's actuator and scaling view, the CLI's read-backs). It plays the role Kafka Connect's
 * {@code KafkaBasedLog} plays behind its stores (STYLE, "One class follows a topic"; issue 13, part 2).
 *
 * <p>Reads without a consumer group (every instance needs every record, nothing is committed) and
 * {@code read_committed}. Where it starts is a {@link Start}: the beginning (a compacted topic read as a table), the
 * end (only what is new) or an instant. Positions are fixed before {@link #start()} returns, so a record produced
 * afterwards is never missed.
 *
 * <p>Rules:
 * <ul>
 *   <li><b>Per-record isolation.</b> A handler that throws an {@link Exception} loses only that record: it is logged
 *   with topic, partition and offset, counted ({@link #failedRecords()} and {@code ferry_tail_record_failures_total
 *   {tail}}), and the tail goes on. An {@link Error} is not isolated: it fails the tail (below) and the record is
 *   handed over again after the restart.</li>
 *   <li><b>Partitions added</b> to the topic are followed from their beginning (they hold only records written after
 *   they appeared), found within {@code partitionCheck} (30 s by default; the consumer's metadata age).</li>
 *   <li><b>Failure is a state, and the tail heals.</b> When the consumer fails (the topic is deleted, authorization
 *   is revoked, an {@code Error} in the handler), the tail goes {@link State#FAILED} with {@link #failure()}, closes
 *   its consumer and restarts after a backoff (0.5 s doubling to 30 s), resuming where it had read to; a topic
 *   deleted and created again (or a position beyond a partition's end) is read from its beginning. It is
 *   {@link State#RUNNING} again once it has caught up. Readiness reports the state ({@link #readiness()}), so a
 *   dead tail makes its process unready instead of silently serving stale data (issue 11, part 4).</li>
 * </ul>
 *
 * <p>{@link #readToEnd()} completes once every record present when it was called has been handled.
 */
public final class TopicTail implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicTail.class);
    /**
     * The longest one poll waits (issue 16). A record ends a poll at once, a {@link #readToEnd()} wakes it and
     * {@link #close()} too, so this only sets how often an idle tail wakes: it used to poll every 100 ms, ten
     * wake-ups a second for each of the dozen tails of a {@code ferry dev} with nothing to read.
     *
     * <p>The broker holds an empty fetch for up to {@link GroupPolls#IDLE_FETCH_WAIT}, not Kafka's 500 ms (at 500 ms
     * the dozen tails of an idle {@code ferry dev} made about 1,500 of its broker's 1,800 fetches a minute), so a
     * read-to-end's end offsets are listed off the tail's connection ({@link TailOffsets}).
     */
    static final Duration POLL = Duration.ofSeconds(5);
    /**
     * The poll of a tail that something waits on (catching up, a read-to-end): a poll returns on records only, and
     * the last offsets of a topic written in transactions are markers, which move the position without a record.
     */
    static final Duration WAITING_POLL = Duration.ofMillis(100);
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(30);
    /** How often the (cached) metadata is asked whether the topic still exists and has new partitions. */
    private static final long PARTITION_LOOK_NANOS = Duration.ofSeconds(1).toNanos();
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** Where a tail is in its life, in the spirit of {@code KafkaStreams.State}. */
    public enum State {
        /** Built, not started. */
        CREATED,
        /** Reading what the topic held when it started; not yet caught up. */
        STARTING,
        /** Caught up, and following the topic live. */
        RUNNING,
        /** The consumer failed ({@link #failure()} says how); restarting with backoff. */
        FAILED,
        /** Closed. */
        STOPPED
    }

    /** Takes one record; may throw to skip it (see the class comment). Called on the tail's thread, in order. */
    @FunctionalInterface
    public interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record) throws Exception;
    }

    /** Where reading starts. */
    public record Start(Position position, Instant instant) {

        /** The three kinds of start. */
        public enum Position { BEGINNING, END, INSTANT }

        public Start {
            Objects.requireNonNull(position, "position");
            if ((position == Position.INSTANT) != (instant != null)) {
                throw new IllegalArgumentException("An instant goes with Position.INSTANT, and only with it");
            }
        }

        /** Every record the topic still holds. */
        public static Start beginning() {
            return new Start(Position.BEGINNING, null);
        }

        /** Only records written after {@link #start()}. */
        public static Start end() {
            return new Start(Position.END, null);
        }

        /** Records whose timestamp is at or after {@code instant}; the end where there are none. */
        public static Start at(Instant instant) {
            return new Start(Position.INSTANT, Objects.requireNonNull(instant, "instant"));
        }
    }

    private final KafkaClients clients;
    private final String topic;
    private final String name;
    private final Start start;
    private final RecordHandler handler;
    private final Duration partitionCheck;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Counter failureCounter;
    private final AtomicLong failedRecords = new AtomicLong();
    private final Queue<CompletableFuture<Void>> readRequests = new ConcurrentLinkedQueue<>();
    private final Object sleeper = new Object();

    // Confined to the tail's thread once it runs (start() writes them before the thread starts).
    private final TailProgress progress = new TailProgress();
    private Duration backoff;

    private volatile State state = State.CREATED;
    private volatile Throwable failure;
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    /**
     * Where a read-to-end's end offsets are listed, held from {@link #start()} to the end of {@link #close()}: the
     * process's, shared through its {@link KafkaClients}, else the tail's own, closed with it.
     */
    private volatile TailOffsets endOffsets;
    /** True while the tail's thread is in (or about to enter) a poll that a read request must wake. */
    private volatile boolean polling;
    private Thread thread;

    private TopicTail(Builder b) {
        this.clients = b.clients;
        this.topic = b.topic;
        this.name = b.name != null ? b.name : "ferry-tail-" + b.topic;
        this.start = b.start;
        this.handler = b.handler;
        this.partitionCheck = b.partitionCheck;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.backoff = b.initialBackoff;
        this.failureCounter = Counter.builder("ferry.tail.record.failures")
                .description("Records a topic tail's handler failed on and skipped").tag("tail", name)
                .register(FerryMetrics.registry());
    }

    /** A tail of {@code topic} that gives each record to {@code handler}; from its beginning unless told. */
    public static Builder builder(KafkaClients clients, String topic, RecordHandler handler) {
        return new Builder(clients, topic, handler);
    }

    /** Options of a {@link TopicTail}. */
    public static final class Builder {
        private final KafkaClients clients;
        private final String topic;
        private final RecordHandler handler;
        private String name;
        private Start start = Start.beginning();
        private Duration partitionCheck = Duration.ofSeconds(30);
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);

        private Builder(KafkaClients clients, String topic, RecordHandler handler) {
            this.clients = Objects.requireNonNull(clients, "clients");
            this.topic = Objects.requireNonNull(topic, "topic");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The thread name and client id, also the {@code tail} tag of its metrics; default {@code ferry-tail-<topic>}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder from(Start start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /** How soon partitions added to the topic are followed (the consumer's metadata age). */
        public Builder partitionCheck(Duration partitionCheck) {
            this.partitionCheck = partitionCheck;
            return this;
        }

        /** The first wait before a failed tail restarts, doubling up to {@code max}. */
        public Builder restartBackoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public TopicTail build() {
            return new TopicTail(this);
        }
    }

    /**
     * Fixes the start positions, then follows the topic on a thread of its own.
     *
     * @throws FerryException when the topic has no partitions after 30 s, or the cluster cannot be reached
     */
    public synchronized TopicTail start() {
        if (state != State.CREATED) {
            throw new IllegalStateException("Tail " + name + " was already started");
        }
        state = State.STARTING;
        try {
            TailOffsets shared = clients.sharedTailOffsets();
            endOffsets = shared != null ? shared : TailOffsets.create(clients.config(), name + "-offsets");
            open(true);
        } catch (RuntimeException e) {
            failure = e;
            state = State.FAILED;
            closeConsumer();
            releaseEndOffsets();
            throw e;
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * Completes once every record present in the topic now has been handed to the handler (failed records
     * included). Completes exceptionally when the tail is closed first. A tail that fails meanwhile serves the
     * request after its restart, so bound the wait.
     */
    public CompletableFuture<Void> readToEnd() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        readRequests.add(future);
        if (state == State.STOPPED) {
            failReads();
        }
        // An idle tail polls for seconds: wake it, so the request is served now. The tail sets polling before it
        // looks at the queue, and this looks at polling after adding, so one of the two sees the other.
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (polling && current != null) {
            current.wakeup();
        }
        return future;
    }

    /**
     * {@link #readToEnd()}, waited for up to {@code timeout}: true when everything present now was handled in time,
     * false on timeout, interruption (the flag is kept) or close.
     */
    public boolean awaitReadToEnd(Duration timeout) {
        try {
            readToEnd().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    public State state() {
        return state;
    }

    /** Why the tail is {@link State#FAILED}; empty in every other state. */
    public Optional<Throwable> failure() {
        return state == State.FAILED ? Optional.ofNullable(failure) : Optional.empty();
    }

    /** Records the handler threw on, since the start. */
    public long failedRecords() {
        return failedRecords.get();
    }

    public String topic() {
        return topic;
    }

    public String name() {
        return name;
    }

    /** Ready while {@link State#RUNNING}; otherwise says which tail is not, and why. */
    public ReadinessCheck readiness() {
        return () -> switch (state) {
            case RUNNING -> Optional.empty();
            case FAILED -> Optional.of(name + " (" + topic + ") failed and is restarting: "
                    + (failure == null ? "unknown error" : failure.toString()));
            case STARTING -> Optional.of(name + " (" + topic + ") is catching up");
            case CREATED -> Optional.of(name + " (" + topic + ") is not started");
            case STOPPED -> Optional.of(name + " (" + topic + ") is stopped");
        };
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            running = thread;
        }
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        if (running != null) {
            try {
                running.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            closeConsumer();
        }
        state = State.STOPPED;
        failReads();
        releaseEndOffsets();
    }

    private void releaseEndOffsets() {
        TailOffsets held = endOffsets;
        endOffsets = null;
        if (held != null && held != clients.sharedTailOffsets()) {
            held.close();
        }
    }

    private void run() {
        while (!stopping) {
            try {
                if (consumer == null) {
                    open(false);
                }
                follow();
            } catch (WakeupException e) {
                // close() asked us to stop, or a read request woke a poll: the loop decides
            } catch (Throwable e) { // an Error too: the tail must report it and come back, not die silently
                if (stopping) {
                    break;
                }
                failure = e;
                state = State.FAILED;
                log.error("[tail {}] Following {} failed; restarting in {} ms", name, topic, backoff.toMillis(), e);
                closeConsumer();
                requeuePendingReads();
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
        closeConsumer();
    }

    /** A new consumer, assigned and positioned: at {@link #start} the first time, where it had read to after that. */
    private void open(boolean first) {
        Map<String, Object> overrides = new HashMap<>(Map.of(
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) partitionCheck.toMillis(),
                // A tail never creates what it follows: a missing topic is a failure to see, not to hide.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
        KafkaConsumer<byte[], byte[]> created = clients.consumer(null, name, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), GroupPolls.withIdleFetchWait(clients, overrides));
        consumer = created;
        if (stopping) {
            throw new WakeupException();
        }
        List<TopicPartition> partitions = Partitions.await(created, topic, TOPIC_WAIT);
        created.assign(partitions);
        if (first) {
            seekToStart(created, partitions);
        } else {
            resume(created, partitions);
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        partitions.forEach(p -> positions.put(p, created.position(p))); // resolves lazy seeks now, not at first poll
        progress.opened(positions, created.endOffsets(partitions));
    }

    private void seekToStart(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        switch (start.position()) {
            case BEGINNING -> c.seekToBeginning(partitions);
            case END -> c.seekToEnd(partitions);
            case INSTANT -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(p -> query.put(p, start.instant().toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                for (TopicPartition p : partitions) {
                    OffsetAndTimestamp at = found.get(p);
                    c.seek(p, at != null ? at.offset() : end.get(p));
                }
            }
        }
    }

    private void resume(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> begin = c.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = c.endOffsets(partitions);
        for (TopicPartition p : partitions) {
            Long reached = progress.next(p);
            if (reached == null) {
                c.seek(p, begin.get(p)); // a partition added meanwhile holds only records written since
            } else if (reached > end.get(p)) {
                log.warn("[tail {}] {} ends at {}, before offset {} already read: the topic was recreated; reading "
                        + "the partition from its beginning", name, p, end.get(p), reached);
                c.seek(p, begin.get(p));
            } else if (reached < begin.get(p)) {
                log.warn("[tail {}] Records {}..{} of {} were deleted before this tail read them", name, reached,
                        begin.get(p) - 1, p);
                c.seek(p, begin.get(p));
            } else {
                c.seek(p, reached);
            }
        }
    }

    private void follow() {
        long nextLook = System.nanoTime() + PARTITION_LOOK_NANOS;
        while (!stopping) {
            takeReadRequests();
            if (System.nanoTime() - nextLook > 0) {
                nextLook = System.nanoTime() + PARTITION_LOOK_NANOS;
                lookAtPartitions();
            }
            polling = true;
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(!readRequests.isEmpty() ? Duration.ZERO
                        : progress.waiting() ? WAITING_POLL : POLL);
            } finally {
                polling = false;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                handle(record);
            }
            // Past the last record: transaction markers occupy offsets too.
            for (TopicPartition p : consumer.assignment()) {
                progress.advance(p, consumer.position(p));
            }
            completeReads();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        try {
            handler.handle(record);
        } catch (Exception e) {
            failedRecords.incrementAndGet();
            failureCounter.increment();
            log.warn("[tail {}] Skipping record {}-{}@{}: its handler failed", name, record.topic(),
                    record.partition(), record.offset(), e);
        }
        progress.advance(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
    }

    /**
     * The topic's partitions as the (cached) metadata sees them: none means the topic was deleted, which the
     * consumer alone would only log forever; more than assigned means an operator added some.
     */
    private void lookAtPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            progress.forget();
            throw new FerryException("Topic " + topic + " no longer exists");
        }
        Set<TopicPartition> assigned = consumer.assignment();
        List<TopicPartition> added = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                .filter(p -> !assigned.contains(p)).toList();
        if (!added.isEmpty()) {
            Set<TopicPartition> all = new HashSet<>(assigned);
            all.addAll(added);
            consumer.assign(all);
            consumer.seekToBeginning(added);
            added.forEach(p -> progress.advance(p, consumer.position(p)));
            log.info("[tail {}] Now also following {}", name, added);
        }
    }

    private void takeReadRequests() {
        if (readRequests.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> batch = new ArrayList<>();
        for (CompletableFuture<Void> f; (f = readRequests.poll()) != null; ) {
            batch.add(f);
        }
        Map<TopicPartition, Long> ends;
        try {
            TailOffsets lookups = endOffsets;
            if (lookups == null) {
                throw new FerryException("Tail " + name + " is closed");
            }
            // Not on the consumer: its connection may be held by an idle fetch (GroupPolls.IDLE_FETCH_WAIT).
            ends = lookups.endOffsets(consumer.assignment());
        } catch (RuntimeException e) { // a failure: the requests wait for the next try
            readRequests.addAll(batch);
            throw e;
        }
        progress.waitFor(batch, ends);
    }

    private void completeReads() {
        if (progress.justCaughtUp() && state != State.RUNNING) {
            log.info("[tail {}] Caught up with {}{}", name, topic, state == State.FAILED ? " after a restart" : "");
            failure = null;
            backoff = initialBackoff;
            state = State.RUNNING;
        }
        progress.completeReached();
    }

    private void requeuePendingReads() {
        readRequests.addAll(progress.takePending());
    }

    private void failReads() {
        requeuePendingReads();
        FerryException closed = new FerryException("Tail " + name + " of " + topic + " is closed");
        for (CompletableFuture<Void> f; (f = readRequests.poll()) != null; ) {
            f.completeExceptionally(closed);
        }
    }

    private void pause(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (sleeper) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    sleeper.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void closeConsumer() {
        KafkaConsumer<byte[], byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                // Nothing to commit, and the goodbye to the broker's fetch session would queue behind a held fetch
                // (GroupPolls.IDLE_FETCH_WAIT): the broker drops the session on its own.
                current.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("[tail {}] Error closing the consumer: {}", name, e.toString());
            }
        }
    }
}
