package dev.ferry.dispatcher.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.LagSample;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link LagSample} of every function, read from {@code ferry.lag} by a background thread, as the
 * {@link FunctionLoad} the lag-aware strategies consult.
 *
 * <p>It reads without a group (every dispatcher needs every sample and has nothing to commit) and starts a minute
 * back in time: older samples describe a backlog long gone, and reading the whole topic would delay nothing but
 * startup. A sample that cannot be decoded is skipped; routing without it only loses balance, not data.
 */
public final class LagView implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LagView.class);
    private static final Duration LOOK_BACK = Duration.ofMinutes(1);

    private final KafkaClients clients;
    private final String topic;
    private final Deserializer<LagSample> deserializer;
    private final Clock clock;
    private final ConcurrentMap<FunctionRef, FunctionLoad> loads = new ConcurrentHashMap<>();
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread reader;

    public LagView(KafkaClients clients, TopicCatalog topics, Deserializer<LagSample> deserializer, Clock clock) {
        this.clients = clients;
        this.topic = topics.lag();
        this.deserializer = deserializer;
        this.clock = clock;
    }

    /**
     * Reads the recent samples (for up to {@code catchUp}, so routing starts balanced), then follows the topic on
     * a thread of its own. {@code ferry.lag} must exist.
     */
    public synchronized LagView start(String clientId, Duration catchUp) {
        consumer = clients.consumer(null, clientId, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        seekToLookBack(partitions);
        readRecent(partitions, catchUp);
        running = true;
        reader = new Thread(this::readLoop, clientId);
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** The load of {@code ref}'s partitions; the same object until the next sample of that function arrives. */
    public FunctionLoad load(FunctionRef ref) {
        return loads.computeIfAbsent(ref, r -> FunctionLoad.unknown());
    }

    /** Takes a sample as if read from the topic; the reader thread's path, open for tests. */
    public void accept(LagSample sample) {
        FunctionRef ref;
        try {
            ref = new FunctionRef(sample.getTenant(), sample.getFunction());
        } catch (IllegalArgumentException e) {
            log.debug("Ignoring a lag sample of an invalid function name: {}", e.getMessage());
            return;
        }
        long[] lag = sample.getPartitionLag().stream().mapToLong(Long::longValue).toArray();
        loads.put(ref, new FunctionLoad(lag));
    }

    private void seekToLookBack(List<TopicPartition> partitions) {
        long since = clock.millis() - LOOK_BACK.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            consumer.seek(tp, at != null ? at.offset() : ends.get(tp));
        }
    }

    private void readRecent(List<TopicPartition> partitions, Duration limit) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline
                && ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                read(record);
            }
        }
    }

    private void readLoop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read(record);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("Lag view stopped reading {}; lag-aware strategies now see only this dispatcher's own sends",
                    topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            accept(deserializer.deserialize(record.topic(), record.headers(), record.value()));
        } catch (RuntimeException e) {
            log.warn("Skipping undecodable lag sample at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            thread = reader;
            consumer.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
