package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KIP-932 share groups work on the embedded broker: more consumers than partitions, all of them busy. */
@FerryKafkaTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareGroupIT {

    private static final int CONSUMERS = 4;
    private static final int RECORDS = 400;

    @Test
    void shouldGiveEveryConsumerWorkWhenFourShareConsumersDrainOnePartition(KafkaFixture kafka) throws Exception {
        String topic = "share-" + UUID.randomUUID();
        String group = "share-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        // A new share group starts at the latest offset; this one should see records produced before it joined.
        kafka.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group),
                List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                        AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);

        Map<Integer, AtomicInteger> perConsumer = new ConcurrentHashMap<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(CONSUMERS);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < CONSUMERS; i++) {
                int consumer = i;
                perConsumer.put(consumer, new AtomicInteger());
                running.add(pool.submit(() -> consume(kafka, topic, group, stop, records -> {
                    perConsumer.get(consumer).addAndGet(records.size());
                    seen.addAll(records);
                })));
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> kafka.admin().describeShareGroups(List.of(group))
                    .all().get(10, TimeUnit.SECONDS).get(group).members().size() == CONSUMERS);

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientProperties(),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(topic, "work-" + i));
                }
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == RECORDS);
        } finally {
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        assertThat(perConsumer.values()).allSatisfy(count -> assertThat(count.get()).isPositive());
    }

    private static void consume(KafkaFixture kafka, String topic, String group, AtomicBoolean stop,
            java.util.function.Consumer<List<String>> sink) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        // Acquire at most a few records per poll, so one fast consumer cannot take the whole partition at once.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5);
        props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        try (KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!stop.get()) {
                List<String> values = new ArrayList<>();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(r.value());
                }
                if (!values.isEmpty()) {
                    sink.accept(values);
                }
                consumer.commitSync();
            }
        }
    }
}
