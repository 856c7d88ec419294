package dev.ferry.worker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of a {@code QUEUE} function: a member of the function's share group (KIP-932) in explicit
 * acknowledgement mode. Each poll acquires a batch ({@code share.acquire.mode=record_limit}, so nothing is
 * prefetched beyond it): {@code concurrency} records, or up to {@code worker.queue.acquire.factor} times that while
 * the function's runs are short ({@link AcquirePacing}, issue 16: each poll costs a share fetch). At most {@code
 * concurrency} of the replica's records run at once, records delivered before first; each is acknowledged on its own
 * as soon as its result is written: ACCEPT when done or parked for retry, REJECT when given up (dead-lettered or
 * refused), RELEASE when its result could not be written. A waiting record starts only while its acquisition lock
 * still covers its timeout and the write margin (its start deadline: the poll's start plus the start budget); one
 * that cannot start by then, or when the replica stops, is RELEASEd unrun, remembered ({@link UnrunReleases}) so
 * that delivery does not count toward {@code worker.delivery.count.limit}, and the replica goes back to acquiring
 * {@code concurrency}.
 *
 * <p>Explicit mode requires every record of a poll to be acknowledged before that consumer polls again, so a
 * consumer polls again only when its batch is settled: its last results written and acknowledged by Kafka, then a
 * share fetch, with the replica's slots idle meanwhile. While acquiring ahead the replica therefore runs two
 * consumers (members of the same group), each on its own thread (issue 16, part 4): one polls while the other's
 * batch is in its tail, so the next batch is there when slots free up. They share the {@code concurrency} slots, and
 * a consumer polls only while the other has no record waiting for a slot, so batches queue one behind the other (two
 * polls that return at the same moment can leave both waiting; the start deadline keeps that within the locks).
 * Acquiring {@code concurrency}, a replica runs one consumer: a second batch would wait for slots with no start
 * budget. Acknowledgements go out at once with {@code commitAsync}, except a batch's last ones, which go with that
 * consumer's next poll.
 */
public final class ShareReplica extends Replica {

    private static final Logger log = LoggerFactory.getLogger(ShareReplica.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    private static final Comparator<ConsumerRecord<byte[], byte[]>> REDELIVERED_FIRST = Comparator.comparingInt(
            (ConsumerRecord<byte[], byte[]> r) -> -deliveries(r));

    private final WorkerResources resources;
    private final AcquirePacing pacing;

    public ShareReplica(ReplicaSettings settings, AttemptProcessor processor, WorkerResources resources) {
        super(settings, processor);
        this.resources = resources;
        this.pacing = new AcquirePacing(settings.spec().getConcurrency(),
                resources.config().worker().queueAcquireFactor(), settings.spec().getTimeoutMs());
    }

    @Override
    protected void consume() {
        int limit = pacing.acquireLimit();
        // Acquiring ahead, a second consumer fetches the next batch while the first one's tail is written.
        Lanes lanes = new Lanes(pacing.ahead() ? 2 : 1, Math.max(1, settings.spec().getConcurrency()));
        Thread second = null;
        if (lanes.count() > 1) {
            second = new Thread(() -> {
                try {
                    serve(lanes, 1, limit);
                } catch (RuntimeException | Error e) {
                    lanes.failed(e);
                }
            }, "ferry-" + settings.name() + "-b");
            second.setDaemon(true);
            second.start();
        }
        try {
            serve(lanes, 0, limit);
        } catch (RuntimeException e) {
            lanes.failed(e);
        } finally {
            lanes.end();
            if (second != null) {
                joinUninterruptibly(second);
            }
        }
        lanes.rethrow();
    }

    /** One lane: a consumer of its own, serving batches until the replica stops or the lanes end. */
    private void serve(Lanes lanes, int lane, int limit) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, limit,
                // A batch may take up to the function's timeout before the next poll.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(DEFAULT_MAX_POLL_INTERVAL_MS,
                        settings.settleTimeoutMs()));
        String clientId = "ferry-" + settings.name() + (lane == 0 ? "" : "-" + (char) ('a' + lane));
        SharePollTimeout pollTimeout = new SharePollTimeout();
        LinkedBlockingQueue<Done> done = lanes.queue(lane);
        try (KafkaShareConsumer<byte[], byte[]> consumer = resources.clients().shareConsumer(settings.group(),
                clientId, new ByteArrayDeserializer(), new ByteArrayDeserializer(), props)) {
            // An acknowledgement can be lost when the broker leading a share partition fails; its records come
            // back, and AttemptProcessor acknowledges those it answered already instead of running them again.
            consumer.setAcknowledgementCommitCallback((offsets, error) -> {
                if (error != null) {
                    log.warn("[{}] acknowledgements of {} record(s) were not committed ({}); the share group will "
                            + "deliver them again", settings.name(),
                            offsets.values().stream().mapToInt(Set::size).sum(), error.toString());
                }
            });
            consumer.subscribe(List.of(settings.topic()));
            log.info("[{}] joined share group {} on {}, acquiring up to {} record(s) per poll{}", settings.name(),
                    settings.group(), settings.topic(), limit, lanes.count() > 1 ? " (consumer " + (lane + 1)
                            + " of " + lanes.count() + ")" : "");
            while (!stopping() && !lanes.ended()) {
                if (!mayStartRun()) {
                    // Runs stuck past their timeout hold threads: acquire nothing until they end or the pool
                    // recycles this replica. The last batch's acknowledgements were left for the next poll.
                    consumer.commitAsync();
                    pause(POLL);
                    continue;
                }
                // Records of another lane still waiting for a slot go first: no second batch waits behind them.
                if (!lanes.awaitTurn(lane, POLL)) {
                    // The last batch's acknowledgements were left for the next poll, which has to wait.
                    consumer.commitAsync();
                    continue;
                }
                long polled = System.nanoTime();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout.next(polled));
                if (records.isEmpty()) {
                    continue;
                }
                long budgetMs = pacing.startBudgetMs(consumer.acquisitionLockTimeoutMs());
                runBatch(consumer, records, polled + TimeUnit.MILLISECONDS.toNanos(budgetMs), lanes, lane, done);
                pollTimeout.batchEnded(System.nanoTime());
                if (pacing.batchEnded(budgetMs) && !stopping()) {
                    log.info("[{}] {} (recent runs: mean {} ms, longest {} ms; start budget {} ms): taking new "
                            + "consumers", settings.name(), pacing.ahead() ? "runs are short, acquiring ahead"
                                    : "runs are too long to acquire ahead", Math.round(pacing.recentMeanMs()),
                            Math.round(pacing.recentLongestMs()), budgetMs);
                    lanes.end();
                }
            }
            consumer.commitSync(Duration.ofSeconds(10));
        }
    }

    /**
     * Runs a poll's records and acknowledges each as its attempt ends; no more than {@code concurrency} of the
     * replica's runs, over all its lanes, go at once. As many as there are free slots start at once; the others
     * as runs end, while {@code startDeadline} (a {@link System#nanoTime()}) is not past, the replica is not
     * stopping and its runs are not stuck; the rest are released unrun. Once nothing of this batch is left to start
     * and every started run has handed its result to the producer, the producer is flushed: nothing more of this
     * batch is coming, and the lane's next poll waits for all of it, so waiting out {@code linger.ms} would only
     * stretch every batch (issue 16, part 4: a plain share-group loop that flushes ran its batches in less time).
     * The flush sends; whether a record is acknowledged still waits for its own result's acknowledgement by Kafka.
     */
    private void runBatch(KafkaShareConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records,
            long startDeadline, Lanes lanes, int lane, LinkedBlockingQueue<Done> done) {
        int concurrency = Math.max(1, settings.spec().getConcurrency());
        List<ConsumerRecord<byte[], byte[]>> waiting = new ArrayList<>(records.count());
        records.forEach(waiting::add);
        // A record delivered before (released, or its worker died) goes first, so it does not wait again.
        waiting.sort(REDELIVERED_FIRST);
        int next = 0;
        int running = 0; // this batch's: started, run not yet over
        int pending = waiting.size(); // not yet acknowledged
        boolean flushed = false;
        boolean firstPass = true;
        lanes.waiting(lane, true);
        while (pending > 0) {
            // The first pass starts what finds a slot whatever the deadline (with no start budget, the records of
            // a batch of concurrency, which all find one); later records only before it.
            boolean late = System.nanoTime() - startDeadline > 0;
            while (next < waiting.size() && (firstPass || !late) && (next < concurrency || mayStartRun())
                    && lanes.takeSlot()) {
                start(waiting.get(next++), done);
                running++;
            }
            firstPass = false;
            if (next < waiting.size() && (stopping() || late)) {
                int released = waiting.size() - next;
                for (; next < waiting.size(); next++) {
                    ConsumerRecord<byte[], byte[]> record = waiting.get(next);
                    resources.unrunReleases().released(record);
                    consumer.acknowledge(record, AcknowledgeType.RELEASE);
                    pending--;
                }
                consumer.commitAsync();
                pacing.released();
                log.info("[{}] released {} acquired record(s) unrun: {}", settings.name(), released, stopping()
                        ? "stopping" : "they could not start while their acquisition lock covered an attempt");
            }
            if (next == waiting.size()) {
                lanes.waiting(lane, false);
            }
            if (!flushed && next == waiting.size() && running == 0 && pending > 0) {
                flushed = true;
                flush();
            }
            if (pending == 0) {
                break;
            }
            Done first = take(done, next < waiting.size() ? startDeadline : Long.MAX_VALUE);
            if (first == null) {
                continue;
            }
            boolean acknowledged = false;
            for (Done d = first; d != null; d = done.poll()) {
                Attempt attempt = d.attempt();
                if (attempt == null) {
                    continue; // another lane's run ended: a slot may be free
                }
                if (!attempt.ran) {
                    attempt.ran = true;
                    running--;
                    lanes.freeSlot();
                    pacing.ran(System.nanoTime() - attempt.started);
                }
                if (d.record() == null) {
                    continue;
                }
                consumer.acknowledge(d.record(), d.acknowledgeType(settings.name()));
                acknowledged = true;
                pending--;
            }
            // The batch's last acknowledgements ride on the next poll's share fetch, which follows at once: one
            // request fewer per batch (issue 16).
            if (acknowledged && pending > 0) {
                consumer.commitAsync();
            }
        }
        lanes.waiting(lane, false);
    }

    private void start(ConsumerRecord<byte[], byte[]> record, LinkedBlockingQueue<Done> done) {
        int deliveries = resources.unrunReleases().deliveriesRun(record, deliveries(record));
        Attempt attempt = new Attempt(System.nanoTime());
        processor.process(record, resources.decode(record), deliveries,
                () -> done.add(new Done(attempt, null, null, null)))
                .whenComplete((decision, error) -> done.add(new Done(attempt, record, decision,
                        WorkerStoppedException.unwrap(error))));
    }

    private static int deliveries(ConsumerRecord<?, ?> record) {
        return record.deliveryCount().map(Short::intValue).orElse(1);
    }

    private void flush() {
        try {
            resources.flush();
        } catch (RuntimeException e) {
            // The producer closing: the records' own callbacks say what became of them.
            log.debug("[{}] flush failed: {}", settings.name(), e.toString());
        }
    }

    /** What the replica knows of one record's attempt; the polling thread's alone. */
    private static final class Attempt {
        final long started;
        /** Its run is over (result handed to the producer) or the attempt ended: its slot is free. */
        boolean ran;

        Attempt(long started) {
            this.started = started;
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next done attempt, waiting at most 100 ms and not past {@code deadline} (a nanoTime). */
    private static Done take(LinkedBlockingQueue<Done> done, long deadline) {
        long wait = Math.min(TimeUnit.MILLISECONDS.toNanos(100), Math.max(0, deadline - System.nanoTime()));
        try {
            return done.poll(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The attempt's run ended and its result is with the producer ({@code record} null), or the attempt is over;
     * with no attempt, a wake-up: another lane's run ended, so a slot may be free.
     */
    private record Done(Attempt attempt, ConsumerRecord<byte[], byte[]> record, Decision decision, Throwable error) {
        AcknowledgeType acknowledgeType(String name) {
            if (error instanceof WorkerStoppedException) {
                log.info("[{}] stopped while {} ran; releasing it for another delivery", name,
                        WorkerResources.where(record));
                return AcknowledgeType.RELEASE;
            }
            if (error != null) {
                log.error("[{}] could not write the outcome of {}, releasing it for another delivery: {}", name,
                        WorkerResources.where(record), error.toString());
                return AcknowledgeType.RELEASE;
            }
            return decision == Decision.DLQ || decision == Decision.REJECT ? AcknowledgeType.REJECT
                    : AcknowledgeType.ACCEPT;
        }
    }

    /**
     * What the lanes (consumers) of one {@link #consume()} share: the replica's {@code concurrency} run slots, whose
     * turn it is to poll (a lane polls only while no other lane has records waiting for a slot, so batches queue one
     * behind the other rather than side by side), and how they end (a mode change, a stop, a lane's failure).
     */
    private static final class Lanes {
        private static final Done WAKE = new Done(null, null, null, null);

        private final int count;
        private final int concurrency;
        private final List<LinkedBlockingQueue<Done>> queues = new ArrayList<>();
        private final boolean[] waiting; // guarded by this
        private int running; // guarded by this
        private volatile boolean ended;
        private Throwable failure; // guarded by this

        Lanes(int count, int concurrency) {
            this.count = count;
            this.concurrency = concurrency;
            this.waiting = new boolean[count];
            for (int i = 0; i < count; i++) {
                queues.add(new LinkedBlockingQueue<>());
            }
        }

        int count() {
            return count;
        }

        /** Where the lane's attempts report, and other lanes wake it when a slot is freed. */
        LinkedBlockingQueue<Done> queue(int lane) {
            return queues.get(lane);
        }

        /** Takes a run slot if one is free. */
        synchronized boolean takeSlot() {
            if (running >= concurrency) {
                return false;
            }
            running++;
            return true;
        }

        /** Frees a run slot and wakes the lanes whose records wait for one. */
        void freeSlot() {
            synchronized (this) {
                running--;
                if (count == 1) {
                    return;
                }
                for (int i = 0; i < count; i++) {
                    if (waiting[i]) {
                        queues.get(i).offer(WAKE);
                    }
                }
            }
        }

        /** Whether the lane holds records that did not start yet. */
        synchronized void waiting(int lane, boolean value) {
            if (waiting[lane] != value) {
                waiting[lane] = value;
                if (!value) {
                    notifyAll();
                }
            }
        }

        /** Waits at most {@code max} until no other lane has records waiting; true when none has. */
        synchronized boolean awaitTurn(int lane, Duration max) {
            long until = System.nanoTime() + max.toNanos();
            while (!ended && othersWaiting(lane)) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !othersWaiting(lane);
        }

        private boolean othersWaiting(int lane) {
            for (int i = 0; i < count; i++) {
                if (i != lane && waiting[i]) {
                    return true;
                }
            }
            return false;
        }

        /** Every lane settles its batch and closes its consumer. */
        synchronized void end() {
            ended = true;
            notifyAll();
        }

        boolean ended() {
            return ended;
        }

        /** A lane's consumer failed: the others end too, and {@link #rethrow()} throws it. */
        synchronized void failed(Throwable error) {
            if (failure == null) {
                failure = error;
            }
            end();
        }

        synchronized void rethrow() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }
}
