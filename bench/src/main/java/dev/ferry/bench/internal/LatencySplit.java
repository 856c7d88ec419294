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
import java.util.LinkedHashMap;
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
 * Where a synchronous call's time goes, from what the pipeline records anyway and the client's own two instants,
 * per concurrency level (issue 16, part 3):
 *
 * <ul>
 *   <li>http in: the client's send → the result's {@code submittedAt} (the gateway built the request);</li>
 *   <li>gateway→dispatched: {@code submittedAt} → the work record's timestamp (the dispatcher's send, inside its
 *       transaction);</li>
 *   <li>dispatched→worker start: the work record's timestamp → the result's {@code startedAt} (the transaction's
 *       commit, the share fetch, the replica's previous batch);</li>
 *   <li>run: {@code startedAt} → {@code finishedAt};</li>
 *   <li>reply: the result record's timestamp on {@code ferry.results} (the worker's send of the result and its
 *       reply copy) → the client has the answer (the worker's produce, the gateway's reply reader, the hand-off to
 *       the HTTP response).</li>
 * </ul>
 * Timestamps are milliseconds from one clock (one machine), so each stage is exact to a millisecond.
 */
final class LatencySplit {

    private static final String[] STAGES = {"http in", "gateway->dispatched", "dispatched->worker start", "run",
        "result written->answered"};

    private final Map<String, Histogram[]> levels = new LinkedHashMap<>();

    private LatencySplit() {
    }

    /** @param levels the measured calls of each level, by a label such as {@code c=16} */
    static LatencySplit read(FerryConfig config, FunctionRef function, Map<String, CallTimes> levels) {
        TopicCatalog topics = new TopicCatalog(config);
        KafkaClients clients = new KafkaClients(config);
        Map<String, Long> sentToWork = new HashMap<>();
        readAll(clients, topics.work(function), (key, record) -> sentToWork.put(key, record.timestamp()));
        Deserializer<InvocationResult> results = new AvroSerdes(config).deserializer(InvocationResult.class);
        LatencySplit split = new LatencySplit();
        levels.keySet().forEach(level -> split.levels.put(level, histograms()));
        readAll(clients, topics.results(), (key, record) -> {
            Long sent = sentToWork.get(key);
            if (sent == null) {
                return;
            }
            for (Map.Entry<String, CallTimes> level : levels.entrySet()) {
                CallTimes.Call call = level.getValue().get(key);
                if (call == null) {
                    continue;
                }
                InvocationResult result = results.deserialize(record.topic(), record.headers(), record.value());
                long submitted = result.getSubmittedAt().toEpochMilli();
                long started = result.getStartedAt().toEpochMilli();
                long finished = result.getFinishedAt().toEpochMilli();
                long[] stages = {submitted - call.sentMillis(), sent - submitted, started - sent, finished - started,
                    call.answeredMillis() - record.timestamp()};
                Histogram[] h = split.levels.get(level.getKey());
                for (int i = 0; i < stages.length; i++) {
                    h[i].recordValue(Math.max(0, stages[i]));
                }
            }
        });
        return split;
    }

    private static Histogram[] histograms() {
        Histogram[] h = new Histogram[STAGES.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = new Histogram(3);
        }
        return h;
    }

    /** Calls placed at {@code level}. */
    long count(String level) {
        Histogram[] h = levels.get(level);
        return h == null ? 0 : h[0].getTotalCount();
    }

    /** p50 and p99 in ms of each stage at each level. */
    String describe() {
        StringBuilder text = new StringBuilder();
        levels.forEach((level, h) -> {
            if (!text.isEmpty()) {
                text.append("; ");
            }
            text.append(level).append(": ");
            for (int i = 0; i < STAGES.length; i++) {
                text.append(i == 0 ? "" : ", ").append(STAGES[i]).append(' ').append(p(h[i]));
            }
            text.append(" (").append(h[0].getTotalCount()).append(" calls)");
        });
        return text + " (p50/p99 ms)";
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
