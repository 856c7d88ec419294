package dev.ferry.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: one oversized result must not stop metering. Real Kafka Streams under exactly_once_v2 against the
 * broker, because what failed was the repartition topic's producer limit (1 MiB by default), which no
 * TopologyTestDriver enforces.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MeteringOversizeIT {

    private static final int MIB = 1024 * 1024;

    @TempDir
    Path stateDir;

    @Test
    void shouldBillEveryTenantAndKeepRunningWhenResultsCarryOutputsOverOneMebibyteOrArriveAtSevenMebibytes(
            KafkaFixture kafka) throws Exception {
        FerryConfig config = MeteringItSupport.config(kafka, 2, Map.of(
                MeteringConfig.STATE_DIR, stateDir.toString()));
        MeteringItSupport.createTopics(config);
        String results = new TopicCatalog(config).results();
        long now = System.currentTimeMillis();

        Map<String, Object> overrides = new HashMap<>(MeteringItSupport.fastStreams());
        try (MeteringService metering = new MeteringService(config, StreamsConfig.EXACTLY_ONCE_V2, overrides)
                .start();
                KafkaProducer<String, byte[]> raw = bigRecordProducer(kafka)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> metering.state() == KafkaStreams.State.RUNNING);
            var serializer = new AvroSerdes(config).serializer(InvocationResult.class);

            // The input: a synchronous echo of 1,100,000 bytes, answered 200, whose result metering bills.
            InvocationResult echo = result("acme", "echo", now, 2_500, new byte[1_100_000]);
            // A 7 MiB result produced straight to ferry.results (any Kafka client may), then 7 MiB of garbage.
            InvocationResult huge = result("globex", "resize", now, 1_000, new byte[7 * MIB]);
            byte[] garbage = new byte[7 * MIB];
            Arrays.fill(garbage, (byte) 'x');
            InvocationResult small = result("acme", "echo", now, 999, new byte[3]);
            InvocationResult after = result("initech", "report", now, 4_001, new byte[3]);
            for (InvocationResult r : List.of(echo, huge)) {
                raw.send(new ProducerRecord<>(results, 0, r.getInvocationId(), serializer.serialize(results, r)))
                        .get();
            }
            raw.send(new ProducerRecord<>(results, 0, "garbage", garbage)).get();
            for (InvocationResult r : List.of(small, after)) {
                raw.send(new ProducerRecord<>(results, 0, r.getInvocationId(), serializer.serialize(results, r)))
                        .get();
            }

            UsageQueryClient usage = new UsageQueryClient(metering.url());
            Instant from = Instant.ofEpochMilli(now - 60_000);
            Instant to = Instant.ofEpochMilli(now + 60_000);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(RetriableFerryException.class)
                    .untilAsserted(() -> {
                        // Each billed its real run time: ceil(micros / 1000) ms x 128 MB.
                        assertThat(totals(usage.usage("acme", from, to))).containsExactly(2L, 3L + 1L);
                        assertThat(totals(usage.usage("globex", from, to))).containsExactly(1L, 1L);
                        assertThat(totals(usage.usage("initech", from, to))).containsExactly(1L, 5L);
                    });
            assertThat(metering.state()).isEqualTo(KafkaStreams.State.RUNNING);

            // The undecodable 7 MiB record is not lost: it is on the DLQ, whole, with the error headers.
            List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(config, 1);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value()).isEqualTo(garbage);
            assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo(results);
        }
    }

    /** A plain producer whose own limit lets 7 MiB records through, as an outside client's might. */
    private static KafkaProducer<String, byte[]> bigRecordProducer(KafkaFixture kafka) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * MIB);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * MIB);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** {@link MeteringItSupport#result} with an output of its own. */
    private static InvocationResult result(String tenant, String function, long finishedAt, long micros,
            byte[] output) {
        return InvocationResult.newBuilder(MeteringItSupport.result(tenant, function, finishedAt, 128, micros))
                .setOutput(ByteBuffer.wrap(output))
                .build();
    }

    /** [invocations, billedMillis] summed over the tenant's rows. */
    private static List<Long> totals(List<Usage> rows) {
        return List.of(rows.stream().mapToLong(Usage::invocations).sum(),
                rows.stream().mapToLong(Usage::billedMillis).sum());
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(FerryConfig config, int expected) {
        String dlq = new TopicCatalog(config).dlq();
        List<ConsumerRecord<byte[], byte[]>> records = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer(null, "dlq-reader",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            consumer.assign(consumer.partitionsFor(dlq).stream()
                    .map(p -> new TopicPartition(dlq, p.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }
}
