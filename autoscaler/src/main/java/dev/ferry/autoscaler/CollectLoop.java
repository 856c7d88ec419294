package dev.ferry.autoscaler;

import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.TriggerSpec;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's first loop: every {@code pollMs} a {@link LagCollector} reads the lag of every function's
 * worker pool and every trigger's pool, and a {@link LagSample} per pool goes to {@code ferry.lag}, keyed by the
 * pool ({@link PoolRef#key()}: {@code tenant/function}, or {@code tenant/trigger:name} for a trigger's pool, whose
 * sample has {@code trigger} set). One thread; a failed poll is logged and the next one tries again.
 */
final class CollectLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CollectLoop.class);

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> counter;
    private final LagCollector collector;
    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<LagSample> serializer;
    private final String topic;
    private final long pollMs;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ferry-autoscaler-collector");
        thread.setDaemon(true);
        return thread;
    });

    CollectLoop(KafkaClients clients, TopicCatalog topics, Supplier<? extends Collection<FunctionSpec>> functions,
            Supplier<? extends Collection<TriggerSpec>> triggers, KafkaProducer<String, byte[]> producer, Serializer<LagSample> serializer, long pollMs, Clock clock) {
        this.admin = clients.admin("ferry-autoscaler-lag");
        // read_committed and no group (KafkaClients' defaults): it counts the records behind each position.
        this.counter = clients.consumer(null, "ferry-autoscaler-lag-counter", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        this.collector = new LagCollector(admin, counter, topics, functions, triggers, clock);
        this.producer = producer;
        this.serializer = serializer;
        this.topic = topics.lag();
        this.pollMs = pollMs;
    }

    CollectLoop start() {
        scheduler.scheduleWithFixedDelay(this::collectOnce, 0, pollMs, TimeUnit.MILLISECONDS);
        return this;
    }

    private void collectOnce() {
        try {
            for (LagSample sample : collector.collect()) {
                String key = PoolRef.of(sample).key();
                producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, sample)));
            }
        } catch (RuntimeException e) {
            log.warn("Lag collection failed, trying again next poll: {}", e.toString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        counter.close();
        admin.close();
    }
}
