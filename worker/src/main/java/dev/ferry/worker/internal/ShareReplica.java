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
 * concurrency} of them run at once, records delivered before first; each is acknowledged on its own as soon as its
 * result is written: ACCEPT when done or parked for retry, REJECT when given up (dead-lettered or refused), RELEASE
 * when its result could not be written, or unrun when the schema registry could not give its schema (the replica
 * then releases what it had not started and leaves the group until the registry answers, {@link Replica}). A waiting
 * record starts only while its acquisition lock still covers its timeout and the write margin (its start deadline:
 * the poll's start plus the start budget); one that cannot start by then, or when the replica stops, is RELEASEd
 * unrun, remembered ({@link UnrunReleases}) so that delivery does not count toward
 * {@code worker.delivery.count.limit}, and the replica goes back to acquiring {@code concurrency}.
 * Explicit mode requires every record of a poll to be acknowledged before the next poll, so a replica polls again only
 * when its batch is settled; acknowledgements go out at once with {@code commitAsync}, except a batch's last ones,
 * which go with the next poll.
 *
 * <p>After a batch larger than {@code concurrency} each poll waits {@value #POLL_MS} ms at most, never less (issue
 * 16, the bench's 15-27 s stalls). With kafka-clients 4.3.1 a poll that gives up while its share fetch is out, the
 * fetch coming back just after, leaves that fetch's records buffered, and the next poll asks for another fetch before
 * returning them: the consumer acquires a second batch, whose locks tick while the first runs, and the GAP
 * acknowledgements of that second batch's transaction markers were seen never to reach the broker. A marker left
 * acquired holds its share partition's start offset until its lock runs out, the partition's in-flight window
 * ({@code group.share.partition.max.record.locks}, 2,000) fills, and nothing more of it is acquired meanwhile. After
 * a batch of at most {@code concurrency} records the replica polls in short slices ({@link SharePollTimeout}): a
 * fetch right after it often acquires only the batch's commit marker, which would hold the next call back for a
 * whole poll (measured: a warm call 230 ms instead of 60-100 with 200 ms polls after every batch), while batches that
 * small come at rates that cannot fill the window within a lock duration.
 */
public final class ShareReplica extends Replica {

    private static final Logger log = LoggerFactory.getLogger(ShareReplica.class);
    private static final int POLL_MS = 200;
    private static final Duration POLL = Duration.ofMillis(POLL_MS);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    private static final Comparator<ConsumerRecord<byte[], byte[]>> REDELIVERED_FIRST = Comparator.comparingInt(
            (ConsumerRecord<byte[], byte[]> r) -> -deliveries(r));

    private final AcquirePacing pacing;
    /** Short polls right after a batch while acquiring exactly {@code concurrency} (see the class doc). */
    private final SharePollTimeout pollTimeout = new SharePollTimeout();

    /** @param pool what the pool's replicas learned of the function's runs, shared with them ({@link AcquireMemory}) */
    public ShareReplica(ReplicaSettings settings, AttemptProcessor processor, WorkerResources resources,
            AcquireMemory pool) {
        super(settings, processor, resources);
        this.pacing = new AcquirePacing(settings.spec().getConcurrency(),
                resources.config().worker().queueAcquireFactor(), settings.spec().getTimeoutMs(), pool);
    }

    @Override
    protected void consume() {
        int limit = pacing.acquireLimit();
        Map<String, Object> props = Map.of(
                ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, limit,
                // A batch may take up to the function's timeout before the next poll.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(DEFAULT_MAX_POLL_INTERVAL_MS,
                        settings.settleTimeoutMs()));
        try (KafkaShareConsumer<byte[], byte[]> consumer = resources.clients().shareConsumer(settings.group(),
                "ferry-" + settings.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer(), props)) {
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
            log.info("[{}] joined share group {} on {}, acquiring up to {} record(s) per poll", settings.name(),
                    settings.group(), settings.topic(), limit);
            while (!stopping() && !steppingOut()) {
                if (!mayStartRun()) {
                    // Runs stuck past their timeout hold threads: acquire nothing until they end or the pool
                    // recycles this replica. The last batch's acknowledgements were left for the next poll.
                    consumer.commitAsync();
                    pause(POLL);
                    continue;
                }
                long polled = System.nanoTime();
                // Short slices only after a batch of at most concurrency records (see the class doc).
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout.next(polled));
                if (records.isEmpty()) {
                    continue;
                }
                long budgetMs = pacing.startBudgetMs(consumer.acquisitionLockTimeoutMs());
                runBatch(consumer, records, polled + TimeUnit.MILLISECONDS.toNanos(budgetMs));
                pollTimeout.batchEnded(System.nanoTime(), records.count() <= settings.spec().getConcurrency());
                if (pacing.batchEnded(budgetMs) && !stopping()) {
                    log.info("[{}] {} (recent runs: mean {} ms, longest {} ms; start budget {} ms): taking a new "
                            + "consumer", settings.name(), pacing.ahead() ? "runs are short, acquiring ahead"
                                    : "runs are too long to acquire ahead", Math.round(pacing.recentMeanMs()),
                            Math.round(pacing.recentLongestMs()), budgetMs);
                    break;
                }
            }
            consumer.commitSync(Duration.ofSeconds(10));
        }
    }

    /**
     * Runs a poll's records, at most {@code concurrency} at once, and acknowledges each as its attempt ends. The first
     * {@code concurrency} start at once; the others as runs end, while {@code startDeadline} (a {@link
     * System#nanoTime()}) is not past, the replica is not stopping and its runs are not stuck; the rest are released
     * unrun. Once nothing is left to start and every started run has handed its result to the producer, the
     * producer is flushed: nothing more of this batch is coming, and the next poll waits for all of it, so waiting out
     * {@code linger.ms} would only stretch every batch (issue 16, part 4: a plain share-group loop that flushes ran its
     * batches in less time). The flush sends; whether a record is acknowledged still waits for its own result's
     * acknowledgement by Kafka.
     */
    private void runBatch(KafkaShareConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records,
            long startDeadline) {
        int concurrency = Math.max(1, settings.spec().getConcurrency());
        List<ConsumerRecord<byte[], byte[]>> waiting = new ArrayList<>(records.count());
        records.forEach(waiting::add);
        // A record delivered before (released, or its worker died) goes first, so it does not wait again.
        waiting.sort(REDELIVERED_FIRST);
        LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
        int next = 0;
        int running = 0; // started, run not yet over
        int pending = waiting.size(); // not yet acknowledged
        boolean flushed = false;
        while (pending > 0) {
            boolean releaseRest = next > 0 && next < waiting.size() && (stopping() || steppingOut()
                    || System.nanoTime() - startDeadline > 0);
            if (releaseRest) {
                int released = waiting.size() - next;
                for (; next < waiting.size(); next++) {
                    ConsumerRecord<byte[], byte[]> record = waiting.get(next);
                    resources.unrunReleases().released(record);
                    consumer.acknowledge(record, AcknowledgeType.RELEASE);
                    pending--;
                }
                consumer.commitAsync();
                if (!steppingOut()) {
                    pacing.released(); // about the lock's time for runs, which a step-out says nothing of
                }
                log.info("[{}] released {} acquired record(s) unrun: {}", settings.name(), released, stopping()
                        ? "stopping" : steppingOut() ? "leaving the share group until the schema registry answers"
                        : "they could not start while their acquisition lock covered an attempt");
            }
            while (next < waiting.size() && running < concurrency && !steppingOut()
                    && (next < concurrency || mayStartRun())) {
                start(waiting.get(next++), done);
                running++;
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
                if (!attempt.ran) {
                    attempt.ran = true;
                    running--;
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
    }

    private void start(ConsumerRecord<byte[], byte[]> record, LinkedBlockingQueue<Done> done) {
        int deliveries = resources.unrunReleases().deliveriesRun(record, deliveries(record));
        Attempt attempt = new Attempt(System.nanoTime());
        Decoded decoded = resources.decode(record);
        if (decoded.registryLost()) {
            stepOutForRegistry(); // this record is given back unrun (AttemptProcessor), and so is the rest
        }
        processor.process(record, decoded, deliveries,
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

    /** The attempt's run ended and its result is with the producer ({@code record} null), or the attempt is over. */
    private record Done(Attempt attempt, ConsumerRecord<byte[], byte[]> record, Decision decision, Throwable error) {
        AcknowledgeType acknowledgeType(String name) {
            if (error instanceof WorkerStoppedException stopped) {
                log.info("[{}] releasing {} for another delivery: {}", name, WorkerResources.where(record),
                        stopped.getMessage());
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
}
