package dev.ferry.worker.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.Wakeups;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.GroupPolls;
import dev.ferry.core.metrics.FerryMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every retry tier of a worker process with one consumer (issue 16): it follows all the tier topics in one
 * group, and for each partition forwards records whose delay (its tier's) has passed back to their work topic, then
 * commits. A partition whose head is not yet due is paused until it is; every record of a tier waits the same
 * delay, so nothing behind the head can be due earlier. At-least-once: a crash between forwarding and committing
 * repeats that retry attempt.
 *
 * <p>A record moved back to a work topic wakes its function's pool ({@link Wakeups}, the dispatcher's mechanism),
 * since its pool may have scaled to zero while it waited: without that, the autoscaler would find it only at its
 * next quiet check of the pool's end offsets ({@code autoscaler.quiet.check.ms}, a minute by default; issue 16).
 * The wakeup follows the copy's acknowledgement, so the autoscaler reading the pool then finds the work.
 *
 * <p>One consumer instead of one per tier: seven idle tiers were seven group members heartbeating and seven fetch
 * loops, about a sixth of an idle {@code ferry dev}'s CPU with nothing to retry.
 */
final class RetryForwarder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetryForwarder.class);
    /**
     * The longest one poll waits (issue 16). A record arriving ends a poll at once, and a paused partition's due time
     * ends it sooner: the forwarder then resumes the partitions that fell due. Set when kafka-clients 4.3 left a
     * record arriving after an empty fetch for the next poll ({@link GroupPolls}); kept, since the client wakes an
     * idle poll once every {@link GroupPolls#IDLE_RETRY_BACKOFF} anyway.
     */
    static final long MAX_POLL_MS = 1_000;

    private final WorkerResources resources;
    /** Each tier topic and its delay in ms. */
    private final Map<String, Long> delays;
    /** For logs: the tiers served. */
    private final String tiers;
    private final Thread thread;
    private final Wakeups wakeups;
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /** @param delays each tier topic with its delay in ms */
    RetryForwarder(WorkerResources resources, Map<String, Long> delays) {
        this.resources = resources;
        this.delays = Map.copyOf(delays);
        this.tiers = String.join(",", new TreeSet<>(delays.keySet()));
        // The forwarder does not know how many replicas a pool has (-1): it wakes every pool it gives work to, at most
        // once per Wakeups.REPEAT each; waking a running pool costs the autoscaler one reading of it.
        this.wakeups = new Wakeups(resources.topics().wakeups(), ref -> -1, resources.wakeups(), resources.clock());
        this.thread = new Thread(this::run, "ferry-retry-forwarder");
        this.thread.setDaemon(true);
    }

    /** Joins {@code group} (shared by every worker process: each parked record is forwarded by one) and starts. */
    void start(String group) {
        // The broker's wait for an empty fetch stays at Kafka's 500 ms: a consumer has one fetch in flight per
        // broker, so a partition resumed when its head is due is fetched only once the fetch held for the other
        // tiers returns. A 5 s hold put up to 5 s on top of a retry's delay.
        // Its polls wake once a second while nothing is buffered, not ten times (GroupPolls.IDLE_RETRY_BACKOFF).
        consumer = resources.clients().consumer(group, "ferry-retry-forwarder-" + resources.workerName(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                GroupPolls.withIdleRetryBackoff(resources.clients(), Map.of()));
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = consumer) {
            c.subscribe(List.copyOf(delays.keySet()));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(pollMs()));
                resumeDue(c);
                Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
                Set<FunctionRef> given = new LinkedHashSet<>();
                for (TopicPartition partition : records.partitions()) {
                    forwardPartition(c, partition, records.records(partition), commits, given);
                }
                wake(given);
                if (!commits.isEmpty()) {
                    c.commitSync(commits);
                }
            }
        } catch (WakeupException e) {
            // close() woke us up.
        } catch (RuntimeException | Error e) { // an Error too: never a forwarder that ends without a log line
            if (running) {
                log.error("[retry {}] forwarder stopped: {}", tiers, e.toString(), e);
            }
        }
    }

    /** Forwards the due head of a partition; commits only past records whose copy Kafka acknowledged. */
    private void forwardPartition(KafkaConsumer<byte[], byte[]> c, TopicPartition partition,
            List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> commits,
            Set<FunctionRef> given) {
        long now = resources.clock().millis();
        long delayMs = delays.get(partition.topic());
        List<Map.Entry<ConsumerRecord<byte[], byte[]>, CompletableFuture<RecordMetadata>>> sent = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            long due = record.timestamp() + delayMs;
            if (due > now) {
                c.pause(Set.of(partition));
                pausedUntil.put(partition, due);
                break;
            }
            sent.add(Map.entry(record, forward(record)));
        }
        if (sent.size() < records.size()) {
            // The rest waits for its delay: fetch it again from here once the partition resumes.
            c.seek(partition, records.get(sent.size()).offset());
        }
        resources.flush();
        for (var entry : sent) {
            ConsumerRecord<byte[], byte[]> record = entry.getKey();
            try {
                entry.getValue().join();
                commits.put(partition, new OffsetAndMetadata(record.offset() + 1));
                resources.topics().parseWork(header(record, RetryTiers.TARGET_TOPIC)).ifPresent(given::add);
            } catch (CompletionException e) {
                if (OversizedOutput.isCause(e) && deadLetter(record, e.getCause())) {
                    commits.put(partition, new OffsetAndMetadata(record.offset() + 1));
                    continue;
                }
                log.error("[retry {}] cannot forward {}, will try again: {}", record.topic(), WorkerResources.where(record),
                        e.getCause().toString());
                c.seek(partition, record.offset());
                return;
            }
        }
    }

    /**
     * Wakes the pools of the functions just given work back, their copies acknowledged: an autoscaler in this process
     * is told directly, one elsewhere by a record on {@code ferry.wakeups}. Best effort: a wakeup lost is found by the
     * autoscaler's quiet check.
     */
    private void wake(Set<FunctionRef> given) {
        if (given.isEmpty()) {
            return;
        }
        wakeups.newBatch();
        boolean sent = false;
        for (FunctionRef ref : given) {
            Optional<ProducerRecord<byte[], byte[]>> wakeup = wakeups.routed(ref);
            if (wakeup.isPresent()) {
                resources.send(wakeup.get()).whenComplete((metadata, e) -> {
                    if (e != null) {
                        log.warn("[retry {}] cannot wake the pool of {}: {}", tiers, ref.key(), e.toString());
                    }
                });
                sent = true;
            }
        }
        wakeups.committed();
        if (sent) {
            resources.flush();
        }
    }

    /**
     * A parked request its work topic refuses for its size would be refused on every try, and hold up its whole
     * partition (issue 11): it goes to the DLQ instead, which takes any record a retry tier holds. True once the
     * dead letter is acknowledged.
     */
    private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable refusal) {
        log.error("[retry {}] {} is too large for its work topic, sent to {}: {}", record.topic(),
                WorkerResources.where(record), resources.topics().dlq(), refusal.toString());
        try {
            resources.send(DeadLetters.of(resources.topics().dlq(), record, refusal, attemptsMade(record))).join();
            FerryMetrics.oversized("retry-forwarder", "dead_lettered");
            return true;
        } catch (CompletionException e) {
            log.error("[retry {}] cannot dead-letter {} either, will try again: {}", record.topic(),
                    WorkerResources.where(record), e.getCause().toString());
            return false;
        }
    }

    /**
     * The attempts made on the invocation a retry tier holds, for its dead letter's {@code ferry.attempt}: one
     * fewer than the attempt it parks (which never ran); 0 when its request cannot be read.
     */
    private int attemptsMade(ConsumerRecord<byte[], byte[]> record) {
        Decoded decoded = resources.decode(record);
        return decoded.ok() ? Math.max(0, decoded.request().getAttempt() - 1) : 0;
    }

    private CompletableFuture<RecordMetadata> forward(ConsumerRecord<byte[], byte[]> record) {
        String target = header(record, RetryTiers.TARGET_TOPIC);
        if (target == null) {
            // Not parked by a worker (someone produced to the tier by hand, or an older writer): nothing says where
            // it belongs, so it goes where nothing is dropped silently, with the reason on its headers (issue 13).
            log.error("[retry {}] {} names no target topic; sent to {}", record.topic(), WorkerResources.where(record),
                    resources.topics().dlq());
            return resources.send(DeadLetters.of(resources.topics().dlq(), record, MISSING_TARGET,
                    "A retry-tier record without the " + RetryTiers.TARGET_TOPIC + " header: no work topic to return "
                            + "it to", attemptsMade(record)));
        }
        String partitionHeader = header(record, RetryTiers.TARGET_PARTITION);
        Integer targetPartition = partitionHeader == null ? null : Integer.valueOf(partitionHeader);
        return resources.send(new ProducerRecord<>(target, targetPartition, record.key(), record.value()));
    }

    /** Until the first paused partition is due (at least 1 ms), at most {@link #MAX_POLL_MS}. */
    private long pollMs() {
        if (pausedUntil.isEmpty()) {
            return MAX_POLL_MS;
        }
        long firstDue = pausedUntil.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        return Math.max(1, Math.min(MAX_POLL_MS, firstDue - resources.clock().millis()));
    }

    private void resumeDue(KafkaConsumer<byte[], byte[]> c) {
        if (pausedUntil.isEmpty()) {
            return;
        }
        long now = resources.clock().millis();
        Set<TopicPartition> assigned = c.assignment();
        pausedUntil.entrySet().removeIf(entry -> {
            if (!assigned.contains(entry.getKey())) {
                return true;
            }
            if (entry.getValue() <= now) {
                c.resume(Set.of(entry.getKey()));
                return true;
            }
            return false;
        });
    }

    /** The {@code ferry.error.class} of a parked record that names no work topic to return to. */
    static final String MISSING_TARGET = "dev.ferry.worker.MissingRetryTarget";

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Asks the forwarder to stop without waiting, so several can stop at once (issue 11: a quick stop). */
    void requestStop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void close() {
        requestStop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
