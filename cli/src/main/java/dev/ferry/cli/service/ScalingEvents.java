package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Counts the scaling decisions of a tenant's functions' worker pools since an instant, read back from
 * {@code ferry.scaling}; trigger pools' decisions are left out.
 */
final class ScalingEvents {

    private static final Duration READ_TIME = Duration.ofSeconds(10);

    private ScalingEvents() {
    }

    /** Read with the clients and serdes of {@code runtime}, the process's. */
    static Map<String, Long> count(FerryRuntime runtime, String tenant, Instant since) {
        TopicCatalog topics = runtime.topics();
        Deserializer<ScalingDecision> decisions = runtime.serdes().deserializer(ScalingDecision.class);
        Map<String, Long> counts = new ConcurrentHashMap<>();
        try (TopicTail tail = TopicTail.builder(runtime.clients(), topics.scaling(), record -> {
            ScalingDecision decision = record.value() == null ? null
                    : decisions.deserialize(record.topic(), record.headers(), record.value());
            // A trigger pool's decision (issue 14) is not its function's worker pool scaling: not counted here.
            if (decision != null && decision.getTrigger() == null && tenant.equals(decision.getTenant())
                    && !decision.getAt().isBefore(since)) {
                counts.merge(decision.getFunction(), 1L, Long::sum);
            }
        }).name("ferry-demo-scaling-events").from(TopicTail.Start.at(since)).build().start()) {
            if (!tail.awaitReadToEnd(READ_TIME)) {
                throw new CliException("cannot read the scaling decisions back from " + topics.scaling() + " within "
                        + READ_TIME.toSeconds() + " s");
            }
        }
        return Map.copyOf(counts);
    }
}
