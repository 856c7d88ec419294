package dev.ferry.core.functions;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.Partitions;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.schemas.FunctionSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live, local copy of every deployed function, read from the compacted {@code ferry.functions} topic from its
 * beginning and kept current by a background thread, so a deploy takes effect in every service without a restart.
 *
 * <p>It reads without a consumer group (every instance needs the whole topic, and has nothing to commit). A
 * record that cannot be decoded is logged and skipped: one bad spec must not hide every other function.
 * Listeners are called on the reader thread, in topic order per key; a new listener first gets the current
 * functions replayed.
 */
public final class FunctionDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FunctionDirectory.class);

    /** Told of every change; called on the directory's reader thread, so keep it quick. */
    public interface Listener {
        void deployed(FunctionSpec spec);

        void removed(FunctionRef ref);
    }

    private final KafkaClients clients;
    private final TopicCatalog topics;
    private final Deserializer<FunctionSpec> deserializer;
    private final Map<FunctionRef, FunctionSpec> functions = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object dispatchLock = new Object();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread reader;

    public FunctionDirectory(KafkaClients clients, TopicCatalog topics, Deserializer<FunctionSpec> deserializer) {
        this.clients = clients;
        this.topics = topics;
        this.deserializer = deserializer;
    }

    /** Starts reading; creates {@code ferry.functions} if it does not exist yet. */
    public synchronized FunctionDirectory start() {
        if (running) {
            return this;
        }
        String topic = topics.functions();
        TopicSpec spec = topics.platformTopics().stream().filter(t -> t.name().equals(topic)).findFirst()
                .orElseThrow();
        try (Admin admin = clients.admin("ferry-function-directory-admin")) {
            new TopicProvisioner(admin).ensure(spec);
        }
        consumer = clients.consumer(null, "ferry-function-directory", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Map.of());
        List<TopicPartition> partitions;
        try {
            partitions = Partitions.await(consumer, topic, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
        running = true;
        reader = new Thread(() -> readLoop(endAtStart), "ferry-function-directory");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** Waits until every record present when {@link #start()} ran has been read; true if it was in time. */
    public boolean awaitCaughtUp(Duration timeout) {
        try {
            return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public Optional<FunctionSpec> get(FunctionRef ref) {
        return Optional.ofNullable(functions.get(ref));
    }

    /** Every deployed function, ordered by tenant and name. */
    public List<FunctionSpec> all() {
        List<FunctionSpec> all = new ArrayList<>(functions.values());
        all.sort(Comparator.comparing(FunctionSpec::getTenant).thenComparing(FunctionSpec::getName));
        return all;
    }

    public void addListener(Listener listener) {
        synchronized (dispatchLock) {
            functions.values().forEach(listener::deployed);
            listeners.add(listener);
        }
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
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
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readLoop(Map<TopicPartition, Long> endAtStart) {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
                if (caughtUp.getCount() > 0 && reached(endAtStart)) {
                    log.info("Function directory loaded {} functions from {}", functions.size(), topics.functions());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("Function directory stopped reading {}: {}", topics.functions(), e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean reached(Map<TopicPartition, Long> endAtStart) {
        return endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        FunctionRef ref;
        try {
            if (record.key() == null) {
                throw new FerryException("record has no key");
            }
            ref = FunctionRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            log.warn("Skipping record with a bad key at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        synchronized (dispatchLock) {
            if (record.value() == null) {
                if (functions.remove(ref) != null) {
                    listeners.forEach(l -> notify(() -> l.removed(ref), ref));
                }
                return;
            }
            FunctionSpec spec;
            try {
                spec = deserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                log.warn("Skipping undecodable function spec for {} at {}-{}@{}: {}", ref, record.topic(),
                        record.partition(), record.offset(), e.getMessage());
                return;
            }
            functions.put(ref, spec);
            listeners.forEach(l -> notify(() -> l.deployed(spec), ref));
        }
    }

    private static void notify(Runnable call, FunctionRef ref) {
        try {
            call.run();
        } catch (RuntimeException e) {
            // A failing listener must not stop the directory for everyone else.
            log.error("Function directory listener failed on {}", ref, e);
        }
    }
}
