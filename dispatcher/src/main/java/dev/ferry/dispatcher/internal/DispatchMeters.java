package dev.ferry.dispatcher.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the dispatcher forwarded, counted once its transaction committed (an aborted batch is counted when it is
 * forwarded again): invocations routed to work topics, REJECTED results, and dead letters.
 */
public final class DispatchMeters {

    private final String results;
    private final String dlq;
    private final Predicate<String> isReplyCopy;
    private final Counter routed;
    private final Counter rejected;
    private final Counter deadLettered;
    private final DistributionSummary batch;

    /** @param isReplyCopy whether a topic holds copies of results (issue 15): those are not counted again */
    public DispatchMeters(MeterRegistry registry, String resultsTopic, String dlqTopic,
            Predicate<String> isReplyCopy) {
        this.isReplyCopy = isReplyCopy;
        this.results = resultsTopic;
        this.dlq = dlqTopic;
        this.routed = outcome(registry, "routed");
        this.rejected = outcome(registry, "rejected");
        this.deadLettered = outcome(registry, "dead_lettered");
        this.batch = DistributionSummary.builder("ferry.dispatcher.batch.records")
                .description("Records forwarded per transaction").register(registry);
    }

    /** Meters nobody reads, for loops built without a registry (unit tests). */
    static DispatchMeters none() {
        return new DispatchMeters(new SimpleMeterRegistry(), "", "", topic -> false);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("ferry.dispatcher.records").description("Invocations forwarded, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    void committed(List<ProducerRecord<byte[], byte[]>> records) {
        int forwarded = 0;
        for (ProducerRecord<byte[], byte[]> record : records) {
            if (isReplyCopy.test(record.topic())) {
                continue;
            }
            forwarded++;
            if (record.topic().equals(dlq)) {
                deadLettered.increment();
            } else if (record.topic().equals(results)) {
                rejected.increment();
            } else {
                routed.increment();
            }
        }
        batch.record(forwarded);
    }
}
