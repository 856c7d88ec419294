package dev.ferry.bench.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Where a synchronous call's time goes, from what the pipeline records anyway: the result's {@code submittedAt}
 * (the gateway), the work record's timestamp (the dispatcher's send), the result's {@code startedAt} and
 * {@code finishedAt} (the worker). What is left of the end-to-end time is the result's way back to the caller.
 */
final class LatencySplit {

    private final Histogram dispatch = new Histogram(3);
    private final Histogram queued = new Histogram(3);
    private final Histogram run = new Histogram(3);

    private LatencySplit() {
    }

    static LatencySplit read(FerryConfig config, FunctionRef function) {
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        Map<String, Long> sentToWork = new HashMap<>();
        readAll(clients, topics.work(function), (key, record) -> sentToWork.put(key, record.timestamp()));
        Deserializer<InvocationResult> results = new AvroSerdes(config).deserializer(InvocationResult.class);
        LatencySplit split = new LatencySplit();
        readAll(clients, topics.results(), (key, record) -> {
            Long sent = sentToWork.get(key);
            if (sent == null) {
                return;
            }
            InvocationResult result = results.deserialize(record.topic(), record.headers(), record.value());
            long submitted = result.getSubmittedAt().toEpochMilli();
            long started = result.getStartedAt().toEpochMilli();
            split.dispatch.recordValue(Math.max(0, sent - submitted));
            split.queued.recordValue(Math.max(0, started - sent));
            split.run.recordValue(Math.max(0, result.getFinishedAt().toEpochMilli() - started));
        });
        return split;
    }

    long count() {
        return run.getTotalCount();
    }

    /** p50 and p99 in ms of each stage. */
    String describe() {
        return "gateway->dispatched " + p(dispatch) + ", dispatched->worker start " + p(queued) + ", run " + p(run)
                + " (p50/p99 ms over " + count() + " calls)";
    }

    private static String p(Histogram h) {
        return h.getValueAtPercentile(50) + "/" + h.getValueAtPercentile(99);
    }

    private static void readAll(KafkaClients clients, String topic,
            BiConsumer<String, ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, "bench-split", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.value() != null) {
                        each.accept(new String(record.key(), StandardCharsets.UTF_8), record);
                    }
                }
            }
        }
    }
}
