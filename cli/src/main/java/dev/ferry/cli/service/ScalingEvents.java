package dev.ferry.cli.service;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Counts the scaling decisions of a tenant's functions since an instant, read back from {@code ferry.scaling}. */
final class ScalingEvents {

    private ScalingEvents() {
    }

    static Map<String, Long> count(FerryConfig config, String tenant, Instant since) {
        TopicCatalog topics = new TopicCatalog(config);
        Map<String, Long> counts = new HashMap<>();
        try (KafkaConsumer<String, ScalingDecision> consumer = new KafkaClients(config).consumer(null,
                "ferry-demo-scaling-events", new StringDeserializer(),
                new AvroSerdes(config).deserializer(ScalingDecision.class), Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.scaling()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, ScalingDecision> record : consumer.poll(Duration.ofMillis(200))) {
                    ScalingDecision decision = record.value();
                    if (decision != null && tenant.equals(decision.getTenant()) && !decision.getAt().isBefore(since)) {
                        counts.merge(decision.getFunction(), 1L, Long::sum);
                    }
                }
            }
        }
        return counts;
    }
}
