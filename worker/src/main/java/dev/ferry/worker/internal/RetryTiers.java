package dev.ferry.worker.internal;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.schemas.InvocationRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delayed retries without blocking a partition: a failed attempt's request (attempt + 1) is parked on the retry
 * topic of its backoff delay ({@code ferry.retry.<delay>ms}), and one {@link RetryForwarder} for all the tiers
 * (group {@code ferry-retry-forwarder}, issue 16) produces it back to its work topic once due. Every tier a
 * configured backoff can produce is served from the start, so retries parked before a restart still come back.
 */
public final class RetryTiers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetryTiers.class);

    /** The work topic and partition a parked retry returns to. */
    static final String TARGET_TOPIC = "ferry.retry.topic";
    static final String TARGET_PARTITION = "ferry.retry.partition";

    private final WorkerResources resources;
    private final RetryForwarder forwarder;

    RetryTiers(WorkerResources resources) {
        this.resources = resources;
        List<TopicSpec> specs = new ArrayList<>();
        Map<String, Long> tiers = new LinkedHashMap<>();
        for (long delay : delays(resources.backoff())) {
            specs.add(resources.topics().retryTopic(delay));
            tiers.put(resources.topics().retry(delay), delay);
        }
        resources.provisioner().ensure(specs);
        String group = resources.topics().retryForwarderGroup();
        carryOverTierGroups(resources.admin(), group, tiers.keySet());
        forwarder = new RetryForwarder(resources, tiers);
        forwarder.start(group);
    }

    /**
     * Before issue 16 each tier had a group of its own, named after its topic. A new shared group with no offsets yet
     * takes theirs, so what they had forwarded is not forwarded again after an upgrade. Best effort: when another
     * worker process already joined the shared group (it has offsets, or refuses the change while it has members),
     * nothing is copied.
     */
    private static void carryOverTierGroups(Admin admin, String group, Set<String> tierTopics) {
        try {
            if (!admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .isEmpty()) {
                return;
            }
            Map<String, ListConsumerGroupOffsetsSpec> old = new HashMap<>();
            tierTopics.forEach(topic -> old.put(topic, new ListConsumerGroupOffsetsSpec()));
            Map<TopicPartition, OffsetAndMetadata> carried = new HashMap<>();
            ListConsumerGroupOffsetsResult listed = admin.listConsumerGroupOffsets(old);
            for (String oldGroup : tierTopics) {
                listed.partitionsToOffsetAndMetadata(oldGroup).get(30, TimeUnit.SECONDS).forEach((tp, offset) -> {
                    if (offset != null && tierTopics.contains(tp.topic())) {
                        carried.put(tp, new OffsetAndMetadata(offset.offset()));
                    }
                });
            }
            if (!carried.isEmpty()) {
                admin.alterConsumerGroupOffsets(group, carried).all().get(30, TimeUnit.SECONDS);
                log.info("Retry forwarder group {} starts where the per-tier groups had forwarded to ({} partitions)",
                        group, carried.size());
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.warn("Could not carry the per-tier retry groups' offsets over to {}: {}", group, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every distinct delay of a backoff over the largest number of attempts a function may have. */
    static TreeSet<Long> delays(Backoff backoff) {
        TreeSet<Long> delays = new TreeSet<>();
        for (int attempt = 1; attempt < FunctionSpecs.MAX_ATTEMPTS; attempt++) {
            long delay = backoff.delayAfter(attempt);
            delays.add(delay);
            if (delay >= backoff.maxMs()) {
                break;
            }
        }
        return delays;
    }

    /**
     * Parks {@code next} (the following attempt of {@code original}'s request) for the backoff after
     * {@code failedAttempt}; completes when Kafka acknowledged it.
     */
    public CompletableFuture<RecordMetadata> schedule(ConsumerRecord<byte[], byte[]> original, InvocationRequest next,
            int failedAttempt) {
        long delay = resources.backoff().delayAfter(failedAttempt);
        RecordHeaders headers = new RecordHeaders();
        headers.add(TARGET_TOPIC, original.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(TARGET_PARTITION, String.valueOf(original.partition()).getBytes(StandardCharsets.UTF_8));
        byte[] value = resources.encode(original.topic(), next);
        return resources.send(new ProducerRecord<>(resources.topics().retry(delay), null, original.key(), value,
                headers));
    }

    @Override
    public void close() {
        forwarder.close();
    }
}
