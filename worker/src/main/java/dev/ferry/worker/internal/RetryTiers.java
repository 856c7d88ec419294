package dev.ferry.worker.internal;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.schemas.InvocationRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Delayed retries without blocking a partition: a failed attempt's request (attempt + 1) is parked on the retry
 * topic of its backoff delay ({@code ferry.retry.<delay>ms}), and a {@link RetryForwarder} per tier produces it
 * back to its work topic once due. Every tier a configured backoff can produce is served from the start, so
 * retries parked before a restart still come back.
 */
public final class RetryTiers implements AutoCloseable {

    /** The work topic and partition a parked retry returns to. */
    static final String TARGET_TOPIC = "ferry.retry.topic";
    static final String TARGET_PARTITION = "ferry.retry.partition";

    private final WorkerResources resources;
    private final List<RetryForwarder> forwarders = new ArrayList<>();

    RetryTiers(WorkerResources resources) {
        this.resources = resources;
        List<TopicSpec> specs = new ArrayList<>();
        for (long delay : delays(resources.backoff())) {
            specs.add(resources.topics().retryTopic(delay));
        }
        resources.provisioner().ensure(specs);
        for (long delay : delays(resources.backoff())) {
            RetryForwarder forwarder = new RetryForwarder(resources, resources.topics().retry(delay), delay);
            forwarders.add(forwarder);
            forwarder.start();
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
        forwarders.forEach(RetryForwarder::close);
    }
}
