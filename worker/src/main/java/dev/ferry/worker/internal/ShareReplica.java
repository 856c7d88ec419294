package dev.ferry.worker.internal;

import java.time.Duration;
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
 * acknowledgement mode. Each poll acquires at most {@code concurrency} records ({@code share.acquire.mode=
 * record_limit}, so nothing is prefetched and no lock starts before its record can run); all of them run at once,
 * and each is acknowledged on its own as soon as its result is written: ACCEPT when done or parked for retry,
 * REJECT when given up (dead-lettered or refused), RELEASE when its result could not be written. Explicit mode
 * requires every record of a poll to be acknowledged before the next poll, so a replica polls again only when
 * its batch is settled; acknowledgements go out at once with {@code commitAsync}, not at the next poll.
 */
public final class ShareReplica extends Replica {

    private static final Logger log = LoggerFactory.getLogger(ShareReplica.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

    private final WorkerResources resources;
    /** Short polls right after a batch, so a fetch that acquires only a commit marker holds nothing back. */
    private final SharePollTimeout pollTimeout = new SharePollTimeout();

    public ShareReplica(ReplicaSettings settings, AttemptProcessor processor, WorkerResources resources) {
        super(settings, processor);
        this.resources = resources;
    }

    @Override
    protected void consume() {
        int concurrency = Math.max(1, settings.spec().getConcurrency());
        Map<String, Object> props = Map.of(
                ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
                ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, concurrency,
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
            log.info("[{}] joined share group {} on {}", settings.name(), settings.group(), settings.topic());
            while (!stopping()) {
                if (!mayStartRun()) {
                    // Runs stuck past their timeout hold threads: acquire nothing until they end or the pool
                    // recycles this replica.
                    pause(POLL);
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout.next(System.nanoTime()));
                if (!records.isEmpty()) {
                    runBatch(consumer, records);
                    pollTimeout.batchEnded(System.nanoTime());
                }
            }
            consumer.commitSync(Duration.ofSeconds(10));
        }
    }

    /**
     * Runs a poll's records at once and acknowledges each as its attempt ends. Once every record of the batch has
     * run and handed its result to the producer, the producer is flushed: nothing more of this batch is coming, and
     * the next poll waits for all of it, so waiting out {@code linger.ms} would only stretch every batch (issue 16,
     * part 4: a plain share-group loop that flushes ran its batches in less time). The flush sends; whether a
     * record is acknowledged still waits for its own result's acknowledgement by Kafka.
     */
    private void runBatch(KafkaShareConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records) {
        LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
        int pending = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            int deliveries = record.deliveryCount().map(Short::intValue).orElse(1);
            Attempt attempt = new Attempt();
            processor.process(record, resources.decode(record), deliveries,
                    () -> done.add(new Done(attempt, null, null, null)))
                    .whenComplete((decision, error) -> done.add(new Done(attempt, record, decision, error)));
            pending++;
        }
        int handingOver = pending;
        while (pending > 0) {
            Done next = take(done);
            if (next == null) {
                continue;
            }
            boolean acknowledged = false;
            do {
                Attempt attempt = next.attempt();
                if (next.record() == null) {
                    if (!attempt.over) {
                        attempt.handedOver = true;
                        handingOver--;
                    }
                    continue;
                }
                if (!attempt.handedOver) {
                    handingOver--;
                }
                attempt.over = true;
                consumer.acknowledge(next.record(), next.acknowledgeType(settings.name()));
                acknowledged = true;
                pending--;
            } while ((next = done.poll()) != null);
            if (acknowledged) {
                consumer.commitAsync();
            }
            if (handingOver == 0 && pending > 0) {
                handingOver = -1; // once per batch
                flush();
            }
        }
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
        boolean handedOver;
        boolean over;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
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

    /** The attempt's run ended and its result is with the producer ({@code record} null), or the attempt is over. */
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
}
